package org.countersign.browser;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Headless Chromium for browser tests: Debian's {@code chromium} driven through Debian's
 * {@code chromedriver} (packages {@code chromium} and {@code chromium-driver}, which {@code .ci/run}
 * installs when missing). The driver executable is named explicitly, so Selenium never tries to download
 * one. Override the paths with {@code COUNTERSIGN_CHROMIUM} and {@code COUNTERSIGN_CHROMEDRIVER}.
 *
 * <p>Screenshots go to {@code target/screenshots/}; with {@code COUNTERSIGN_UPDATE_SCREENSHOTS=true} they
 * also replace the copies in {@code docs/screenshots/} that the README and docs show.
 */
public final class Chromium implements AutoCloseable {
    private static final String BINARY = env("COUNTERSIGN_CHROMIUM", "/usr/bin/chromium");
    private static final String DRIVER = env("COUNTERSIGN_CHROMEDRIVER", "/usr/bin/chromedriver");

    private final ChromeDriver driver;
    private final Path profile;

    private Chromium(ChromeDriver driver, Path profile) {
        this.driver = driver;
        this.profile = profile;
    }

    /**
     * Starts a fresh headless browser (own empty profile: no cookies, no cache) with a 1280×900 window.
     *
     * @throws IllegalStateException naming the packages to install when the binaries are missing
     */
    public static Chromium start() {
        if (!new File(BINARY).canExecute() || !new File(DRIVER).canExecute()) {
            throw new IllegalStateException("Browser tests need Chromium and ChromeDriver (" + BINARY + ", " + DRIVER
                    + "): apt-get install chromium chromium-driver (.ci/run does it), or set COUNTERSIGN_CHROMIUM and "
                    + "COUNTERSIGN_CHROMEDRIVER");
        }
        try {
            Path profile = Files.createTempDirectory("countersign-chromium-");
            ChromeOptions options = new ChromeOptions();
            options.setBinary(BINARY);
            // Without the background-networking flags Chromium keeps calling Google's hosts, which this
            // closed network refuses; --no-sandbox because CI runs as root.
            options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--disable-extensions", "--lang=en-GB", "--window-size=1280,900",
                    "--user-data-dir=" + profile);
            ChromeDriverService service = new ChromeDriverService.Builder()
                    .usingDriverExecutable(new File(DRIVER))
                    .usingAnyFreePort()
                    .build();
            ChromeDriver driver = new ChromeDriver(service, options);
            driver.manage().window().setSize(new Dimension(1280, 900));
            driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
            return new Chromium(driver, profile);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public ChromeDriver driver() {
        return driver;
    }

    /** Loads {@code url} and waits for the page to be loaded. */
    public Chromium open(String url) {
        driver.get(url);
        return this;
    }

    /**
     * Saves a PNG of the current viewport as {@code target/screenshots/<name>.png} (and in
     * {@code docs/screenshots/} when asked, see the class comment); returns the file under target.
     */
    public Path screenshot(String name) {
        return screenshot(name, true);
    }

    /** A screenshot for the test's own sake (not a page of the product): under target only. */
    public Path screenshotForTest(String name) {
        return screenshot(name, false);
    }

    private Path screenshot(String name, boolean forDocs) {
        try {
            Path shot = driver.getScreenshotAs(OutputType.FILE).toPath();
            Path target = Path.of("target", "screenshots", name + ".png");
            Files.createDirectories(target.getParent());
            Files.copy(shot, target, StandardCopyOption.REPLACE_EXISTING);
            if (forDocs && Boolean.parseBoolean(env("COUNTERSIGN_UPDATE_SCREENSHOTS", "false"))) {
                Path docs = Path.of("docs", "screenshots", name + ".png");
                Files.createDirectories(docs.getParent());
                Files.copy(shot, docs, StandardCopyOption.REPLACE_EXISTING);
            }
            Files.deleteIfExists(shot);
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            try (Stream<Path> files = Files.walk(profile)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                // a leftover temporary profile is harmless
            }
        }
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }
}
