package org.countersign.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;

/** The browser the page tests rely on starts, renders a local page, submits a form and takes a screenshot. */
class ChromiumTest {

    @Test
    void rendersALocalPageSubmitsAFormAndTakesAScreenshot() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            String query = exchange.getRequestURI().getQuery();
            String body = query == null
                    ? "<!doctype html><title>Form</title><form action=/done><input name=who><button>Send</button></form>"
                    : "<!doctype html><title>Done</title><p id=answer>" + query + "</p>";
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
            exchange.sendResponseHeaders(200, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        });
        server.start();
        try (Chromium chromium = Chromium.start()) {
            chromium.open("http://127.0.0.1:" + server.getAddress().getPort() + "/");
            assertEquals("Form", chromium.driver().getTitle());
            chromium.driver().findElement(By.name("who")).sendKeys("alice");
            chromium.driver().findElement(By.tagName("button")).click();
            assertEquals("who=alice", chromium.driver().findElement(By.id("answer")).getText());
            Path shot = chromium.screenshotForTest("chromium-self-test");
            byte[] png = Files.readAllBytes(shot);
            assertTrue(png.length > 100 && png[1] == 'P' && png[2] == 'N' && png[3] == 'G', "a PNG file");
        } finally {
            server.stop(0);
        }
    }
}
