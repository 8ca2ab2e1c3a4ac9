package com.wechathub.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy on a loopback port of its own that can break the network between the hub and a
 * server (here PostgreSQL) the way real networks break:
 * <ul>
 * <li>{@link #blackhole()}: a partition. New connections are accepted and then hear nothing;
 *     bytes on open connections stop flowing in both directions. Nobody gets an error: only a
 *     timeout tells a client something is wrong.</li>
 * <li>{@link #refuse()}: the server is down. Open connections are reset, new ones reset at once.</li>
 * <li>{@link #heal()}: traffic flows again. Connections that lived through a partition or
 *     outage are reset (their TCP sessions would have timed out); new ones are forwarded.</li>
 * </ul>
 * Threads are daemons, one per direction per connection; {@link #close()} stops everything.
 */
public final class FaultProxy implements AutoCloseable {

    private enum Mode { FORWARD, BLACKHOLE, REFUSE }

    private final ServerSocket server;
    private final InetSocketAddress target;
    private final Set<Link> links = ConcurrentHashMap.newKeySet();
    private final Object lock = new Object();
    private final AtomicInteger accepted = new AtomicInteger();
    private volatile Mode mode = Mode.FORWARD;
    private volatile boolean closed;

    private FaultProxy(ServerSocket server, InetSocketAddress target) {
        this.server = server;
        this.target = target;
    }

    /** Starts a proxy to {@code host:port} on a free loopback port. */
    public static FaultProxy start(String host, int port) {
        try {
            ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            FaultProxy proxy = new FaultProxy(server, new InetSocketAddress(host, port));
            daemon("fault-proxy-accept", proxy::acceptLoop).start();
            return proxy;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Connections accepted so far (in any mode). */
    public int accepted() {
        return accepted.get();
    }

    public void blackhole() {
        mode = Mode.BLACKHOLE;
    }

    public void refuse() {
        mode = Mode.REFUSE;
        resetAll();
    }

    public void heal() {
        synchronized (lock) {
            if (mode != Mode.FORWARD) {
                resetAll();
            }
            mode = Mode.FORWARD;
            lock.notifyAll();
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        resetAll();
        synchronized (lock) {
            lock.notifyAll();
        }
    }

    private void resetAll() {
        for (Link link : links) {
            link.reset();
        }
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            accepted.incrementAndGet();
            Link link = new Link(client);
            if (mode == Mode.REFUSE) {
                link.reset();
                continue;
            }
            links.add(link);
            daemon("fault-proxy-link", link::open).start();
        }
    }

    /** Waits while the network is partitioned; false when the link should stop. */
    private boolean awaitFlow(Link link) throws InterruptedException {
        synchronized (lock) {
            while (mode == Mode.BLACKHOLE && !closed && !link.isReset()) {
                lock.wait(100);
            }
        }
        return mode == Mode.FORWARD && !closed && !link.isReset();
    }

    private static Thread daemon(String name, Runnable body) {
        Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        return thread;
    }

    /** One client connection and, once the network lets it through, its upstream connection. */
    private final class Link {

        private final Socket client;
        private volatile Socket upstream;
        private volatile boolean reset;

        Link(Socket client) {
            this.client = client;
        }

        boolean isReset() {
            return reset;
        }

        void open() {
            try {
                // A partition swallows the connection attempt: accepted, then silence.
                if (!awaitFlow(this)) {
                    reset();
                    return;
                }
                Socket up = new Socket();
                up.connect(target, 2000);
                upstream = up;
                if (reset) { // reset while connecting
                    reset();
                    return;
                }
                daemon("fault-proxy-up", () -> pump(client, up)).start();
                pump(up, client);
            } catch (IOException | InterruptedException e) {
                reset();
            }
        }

        private void pump(Socket from, Socket to) {
            byte[] buffer = new byte[16 * 1024];
            try {
                InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream();
                int n;
                while ((n = in.read(buffer)) != -1) {
                    // Bytes read during a partition are held, and lost if the link is reset.
                    if (!awaitFlow(this)) {
                        break;
                    }
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException | InterruptedException e) {
                // the link is over
            }
            reset();
        }

        void reset() {
            reset = true;
            links.remove(this);
            abort(client);
            Socket up = upstream;
            if (up != null) {
                abort(up);
            }
        }

        private void abort(Socket socket) {
            try {
                socket.setSoLinger(true, 0); // RST, as a dead peer or a dropped session would give
            } catch (SocketException ignored) {
                // already closed
            }
            try {
                socket.close();
            } catch (IOException ignored) {
                // already closed
            }
        }
    }
}
