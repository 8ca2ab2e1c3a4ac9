package com.wechathub.support;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;

/**
 * The hub as a separate JVM, started the way an operator starts it (from the folder holding
 * application.yaml and routes/, with command-line overrides), so a test can kill it for real.
 * The classpath is the test JVM's own minus the test classes: surefire runs before the jar is
 * packaged, and the classes and dependencies are the same. Unless started {@link #startAsShipped
 * as shipped}, a hub also serves the tests' account "demo" ({@link DemoAccount}): the prod profile
 * has no example account.
 */
public final class HubProcess implements AutoCloseable {

    private final Process process;
    private final int port;
    private final int managementPort;
    private final Path log;

    private HubProcess(Process process, int port, int managementPort, Path log) {
        this.process = process;
        this.port = port;
        this.managementPort = managementPort;
        this.log = log;
    }

    /** Starts a hub with the given {@code --key=value} arguments and waits until it is healthy. */
    public static HubProcess start(String name, List<String> args) {
        return start(name, args, Map.of());
    }

    /** The same, with environment variables added to the hub's (as an orchestrator passes secrets). */
    public static HubProcess start(String name, List<String> args, Map<String, String> environment) {
        return start(name, withDemoAccount(args), environment, "/actuator/health");
    }

    /** Starts a hub and waits only until it is alive (liveness), healthy or not: a hub that cannot record. */
    public static HubProcess startAlive(String name, List<String> args) {
        return start(name, withDemoAccount(args), Map.of(), "/actuator/health/liveness");
    }

    /** A hub with nothing but ./application.yaml and the given arguments: no test account. */
    public static HubProcess startAsShipped(String name, List<String> args) {
        return start(name, args, Map.of(), "/actuator/health");
    }

    /**
     * Starts a hub that is expected to refuse to start, and returns its whole log once it has
     * exited (with a non-zero status: anything else fails).
     */
    public static String refusedStart(String name, List<String> args) {
        try {
            Launch launch = launch(name, args, Map.of());
            Process process = launch.process();
            if (!process.waitFor(120, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
                throw new AssertionError("the hub did not stop within 120 s:\n" + Files.readString(launch.log()));
            }
            String log = Files.readString(launch.log());
            if (process.exitValue() == 0) {
                throw new AssertionError("the hub exited with 0:\n" + log);
            }
            return log;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static List<String> withDemoAccount(List<String> args) {
        List<String> all = new ArrayList<>(DemoAccount.args());
        all.addAll(args);
        return all;
    }

    private record Launch(Process process, int port, int managementPort, Path log) {
    }

    private static Launch launch(String name, List<String> args, Map<String, String> environment) throws IOException {
        int port = freePort();
        int managementPort = freePort();
        Path log = Path.of("target", name + ".log").toAbsolutePath();
        Files.createDirectories(log.getParent());
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", runtimeClasspath(), "com.wechathub.HubApplication", "--server.port=" + port,
                "--management.server.port=" + managementPort));
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).directory(new File(".").getAbsoluteFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(environment);
        return new Launch(builder.start(), port, managementPort, log);
    }

    private static HubProcess start(String name, List<String> args, Map<String, String> environment, String healthPath) {
        try {
            Launch launch = launch(name, args, environment);
            HubProcess hub = new HubProcess(launch.process(), launch.port(), launch.managementPort(), launch.log());
            hub.awaitUp(healthPath);
            return hub;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return port;
    }

    /** Actuator's port (health, metrics), apart from the callback port. */
    public int managementPort() {
        return managementPort;
    }

    public long pid() {
        return process.pid();
    }

    /** SIGKILL: no shutdown hook, no graceful shutdown, nothing flushed. */
    public void kill() {
        process.destroyForcibly();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            kill();
        }
    }

    private void awaitUp(String healthPath) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        HttpRequest health = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + healthPath))
                .timeout(Duration.ofSeconds(2)).build();
        try {
            Awaitility.await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250)).until(() -> {
                if (!process.isAlive()) {
                    throw new IllegalStateException("the hub exited with " + process.exitValue() + ":\n" + tail());
                }
                try {
                    HttpResponse<String> response = http.send(health, HttpResponse.BodyHandlers.ofString());
                    return response.statusCode() == 200 && response.body().startsWith("{\"status\":\"UP\"");
                } catch (IOException e) {
                    return false;
                }
            });
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** The hub's whole log so far. */
    public String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The end of the hub's log, for failure messages. */
    public String tail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    private static String runtimeClasspath() {
        String testClasses = Path.of("target", "test-classes").toAbsolutePath().toString();
        return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> !Path.of(entry).toAbsolutePath().toString().equals(testClasses))
                .collect(Collectors.joining(File.pathSeparator));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
