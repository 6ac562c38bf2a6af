package org.countersign.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy between the service and PostgreSQL whose link a test can break the ways networks break:
 * {@link #cut()} resets every connection and refuses new ones (the database is down, or restarting);
 * {@link #blackhole()} lets nothing through any more and answers nothing, without closing anything (a
 * network partition: packets vanish, no reset ever arrives). {@link #restore()} heals either: new
 * connections go through again, and after a blackhole the stalled ones resume where they were.
 */
public final class DatabaseProxy implements AutoCloseable {

    private enum Mode { FORWARD, CUT, BLACKHOLE }

    private final ServerSocket server;
    private final InetSocketAddress upstream;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final Object gate = new Object();
    private final AtomicInteger accepted = new AtomicInteger();
    private volatile Mode mode = Mode.FORWARD;

    public DatabaseProxy(String upstreamHost, int upstreamPort) throws IOException {
        this.upstream = new InetSocketAddress(upstreamHost, upstreamPort);
        this.server = new ServerSocket(0, 100, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::acceptLoop, "db-proxy-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Connections accepted so far (including those refused while cut). */
    public int accepted() {
        return accepted.get();
    }

    /** The database goes away: every open connection is reset, new ones are closed at once. */
    public void cut() {
        mode = Mode.CUT;
        for (Socket s : sockets) {
            closeQuietly(s);
        }
        sockets.clear();
    }

    /** Packets vanish: nothing is forwarded or answered any more, nothing is closed. */
    public void blackhole() {
        mode = Mode.BLACKHOLE;
    }

    /** The database is reachable again. */
    public void restore() {
        synchronized (gate) {
            mode = Mode.FORWARD;
            gate.notifyAll();
        }
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return;
            }
            accepted.incrementAndGet();
            if (mode == Mode.CUT) {
                closeQuietly(client);
                continue;
            }
            sockets.add(client);
            Thread t = new Thread(() -> connect(client), "db-proxy-conn");
            t.setDaemon(true);
            t.start();
        }
    }

    private void connect(Socket client) {
        Socket db = null;
        try {
            awaitForwarding(); // a blackhole answers no new connection either
            if (client.isClosed()) {
                return;
            }
            db = new Socket();
            db.connect(upstream, 5_000);
            sockets.add(db);
            Socket dbSocket = db;
            Thread back = new Thread(() -> pipe(dbSocket, client), "db-proxy-down");
            back.setDaemon(true);
            back.start();
            pipe(client, db);
        } catch (IOException | InterruptedException e) {
            closeQuietly(client);
            if (db != null) {
                closeQuietly(db);
            }
        }
    }

    private void pipe(Socket from, Socket to) {
        byte[] buffer = new byte[16 * 1024];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                awaitForwarding();
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException | InterruptedException e) {
            // closed by cut(), by an end, or interrupted
        } finally {
            closeQuietly(from);
            closeQuietly(to);
            sockets.remove(from);
            sockets.remove(to);
        }
    }

    private void awaitForwarding() throws InterruptedException, IOException {
        synchronized (gate) {
            while (mode == Mode.BLACKHOLE) {
                gate.wait();
            }
        }
        if (mode == Mode.CUT) {
            throw new IOException("cut");
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    @Override
    public void close() throws IOException {
        restore();
        server.close();
        cut();
    }
}
