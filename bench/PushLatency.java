// JDK-only single-file benchmark helper for the WeChat Event Hub.
//
//   java -cp target/classes bench/PushLatency.java latency --hub URL --port-file F [--warmup 200] [--count 1000] [--rate R]
//   java bench/PushLatency.java crm --port-file F [--max-seconds 3600]
//
// latency: starts a stand-in CRM (com.sun.net.httpserver, answers 204 and records the nanoTime
//   a PUT /bindings/demo/{openid} first arrives), writes its port to the port file, waits for the
//   hub's /actuator/health, then sends warm-up + measured signed subscribe pushes — sequential, or
//   with --rate R an open loop of R pushes a second (each leaves on time, whatever the earlier ones
//   do) — and prints answer latency percentiles and the answer -> CRM arrival delay per openid.
// crm: only the stand-in CRM (for load.sh), until killed or --max-seconds pass; prints a count.
//
// The signature is com.wechathub.wechat.WechatSignature from target/classes when present (the
// hub's own code), else an identical local SHA-1.

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

public class PushLatency {

    static final String TOKEN = "bench-token"; // the account bench/common.sh gives the hub
    static final String ACCOUNT = "demo";
    static final String FIXTURE = "src/main/resources/fixtures/wechat/event-subscribe.xml";
    static final String BINDINGS = "/bindings/" + ACCOUNT + "/";

    /** openid -> nanoTime of the first CRM call for it. */
    static final Map<String, Long> crmArrivals = new ConcurrentHashMap<>();
    static final AtomicLong crmCalls = new AtomicLong();

    public static void main(String[] argv) throws Exception {
        if (argv.length == 0) {
            usage();
        }
        Map<String, String> args = options(argv);
        switch (argv[0]) {
            case "latency" -> latency(args);
            case "crm" -> crm(args);
            default -> usage();
        }
    }

    static void usage() {
        System.err.println("usage: PushLatency latency --hub URL --port-file F [--warmup 200] [--count 1000] [--rate R] [--health-timeout 240]\n"
                + "       PushLatency crm --port-file F [--max-seconds 3600]");
        System.exit(2);
    }

    static Map<String, String> options(String[] argv) {
        Map<String, String> map = new HashMap<>();
        for (int i = 1; i + 1 < argv.length; i += 2) {
            map.put(argv[i].replaceFirst("^--", ""), argv[i + 1]);
        }
        return map;
    }

    // ---------------------------------------------------------------- stand-in CRM

    static HttpServer startCrm(Path portFile, int threads) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 512);
        server.createContext("/", exchange -> {
            long now = System.nanoTime();
            String path = exchange.getRequestURI().getPath();
            crmCalls.incrementAndGet();
            if (path.startsWith(BINDINGS)) {
                crmArrivals.putIfAbsent(path.substring(BINDINGS.length()), now);
            }
            try (InputStream in = exchange.getRequestBody()) {
                in.readAllBytes();
            }
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        server.setExecutor(Executors.newFixedThreadPool(threads));
        server.start();
        Path tmp = portFile.resolveSibling(portFile.getFileName() + ".tmp");
        Files.writeString(tmp, Integer.toString(server.getAddress().getPort()));
        Files.move(tmp, portFile, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        return server;
    }

    static void crm(Map<String, String> args) throws Exception {
        HttpServer server = startCrm(Path.of(required(args, "port-file")), 8);
        long maxSeconds = Long.parseLong(args.getOrDefault("max-seconds", "3600"));
        Runtime.getRuntime().addShutdownHook(new Thread(() ->
                System.out.println("stand-in CRM: " + crmCalls.get() + " calls")));
        for (long s = 0; s < maxSeconds; s++) { // bounded: the script kills it long before
            Thread.sleep(1000);
        }
        server.stop(0);
        System.exit(0);
    }

    // ---------------------------------------------------------------- latency

    static void latency(Map<String, String> args) throws Exception {
        String hub = required(args, "hub");
        int warmup = Integer.parseInt(args.getOrDefault("warmup", "200"));
        int count = Integer.parseInt(args.getOrDefault("count", "1000"));
        int rate = Integer.parseInt(args.getOrDefault("rate", "0"));
        int healthTimeout = Integer.parseInt(args.getOrDefault("health-timeout", "240"));
        String fixture = Files.readString(Path.of(FIXTURE)).trim();
        HttpServer crm = startCrm(Path.of(required(args, "port-file")), 2);

        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        waitForHealth(client, hub, healthTimeout);

        String run = Long.toString(System.currentTimeMillis() % 100_000_000L, 36);
        System.out.println("signature from: " + signer());
        System.out.printf(Locale.ROOT, "warm-up %d pushes, then %d measured pushes, %s (run %s)%n", warmup, count,
                rate > 0 ? rate + " a second" : "sequential", run);

        String[] openIds = new String[count];
        long[] answered = new long[count];
        long[] latency = new long[count];
        AtomicInteger failures = new AtomicInteger();
        // Sequential, or (--rate R) open loop: push i leaves at start + i / R, whatever the earlier ones do.
        long interval = rate > 0 ? 1_000_000_000L / rate : 0;
        long start = System.nanoTime();
        List<CompletableFuture<Void>> inFlight = new ArrayList<>();
        java.util.concurrent.ExecutorService senders = Executors.newFixedThreadPool(64);
        for (int i = 0; i < warmup + count; i++) {
            String openId = "bench-lat-" + run + "-" + i;
            HttpRequest request = push(hub, fixture, openId);
            int j = i - warmup;
            if (j >= 0) {
                openIds[j] = openId;
            }
            if (interval > 0) {
                for (long wait = start + i * interval - System.nanoTime(); wait > 0; wait = start + i * interval - System.nanoTime()) {
                    LockSupport.parkNanos(wait);
                }
            }
            Runnable send = () -> {
                long t0 = System.nanoTime();
                HttpResponse<String> response = null;
                Exception error = null;
                try {
                    response = client.send(request, HttpResponse.BodyHandlers.ofString());
                } catch (Exception e) {
                    error = e;
                }
                long t1 = System.nanoTime();
                boolean ok = error == null && response.statusCode() == 200 && response.body().contains("<![CDATA[" + openId + "]]>");
                if (!ok && failures.incrementAndGet() <= 5) {
                    System.out.println("unexpected answer " + (error != null ? error : response.statusCode() + ": " + response.body()));
                }
                if (j >= 0) {
                    answered[j] = t1;
                    latency[j] = t1 - t0;
                }
            };
            if (interval > 0) {
                inFlight.add(CompletableFuture.runAsync(send, senders)); // blocking sends on a pool of their own
            } else {
                send.run();
            }
        }
        CompletableFuture.allOf(inFlight.toArray(CompletableFuture[]::new)).join();
        senders.shutdown();
        if (interval > 0) {
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf(Locale.ROOT, "sent %d pushes in %.1f s: %.0f a second (asked %d)%n", warmup + count, seconds,
                    (warmup + count) / seconds, rate);
        }

        // Wait (bounded) for every measured openid to reach the CRM.
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        int arrived = 0;
        while (System.nanoTime() < deadline) {
            arrived = 0;
            for (String id : openIds) {
                if (crmArrivals.containsKey(id)) {
                    arrived++;
                }
            }
            if (arrived == count) {
                break;
            }
            Thread.sleep(100);
        }
        List<Long> delays = new ArrayList<>();
        for (int j = 0; j < count; j++) {
            Long at = crmArrivals.get(openIds[j]);
            if (at != null) {
                delays.add(at - answered[j]);
            }
        }
        crm.stop(0);

        long[] sorted = latency.clone();
        Arrays.sort(sorted);
        long[] d = delays.stream().mapToLong(Long::longValue).sorted().toArray();
        System.out.printf(Locale.ROOT, "answer latency (ms): p50 %.2f  p90 %.2f  p99 %.2f  max %.2f  (n=%d, non-200/bad answers: %d)%n",
                ms(pct(sorted, 50)), ms(pct(sorted, 90)), ms(pct(sorted, 99)), ms(sorted[sorted.length - 1]), count, failures.get());
        if (d.length > 0) {
            System.out.printf(Locale.ROOT, "answer -> CRM arrival (ms): p50 %.1f  p99 %.1f  min %.1f  max %.1f  (%d/%d arrived)%n",
                    ms(pct(d, 50)), ms(pct(d, 99)), ms(d[0]), ms(d[d.length - 1]), d.length, count);
        } else {
            System.out.println("answer -> CRM arrival: no CRM call arrived");
        }
        System.out.printf(Locale.ROOT, "RESULT answer_p50=%.2f answer_p90=%.2f answer_p99=%.2f answer_max=%.2f crm_p50=%.1f crm_p99=%.1f arrived=%d/%d failures=%d%n",
                ms(pct(sorted, 50)), ms(pct(sorted, 90)), ms(pct(sorted, 99)), ms(sorted[sorted.length - 1]),
                d.length > 0 ? ms(pct(d, 50)) : Double.NaN, d.length > 0 ? ms(pct(d, 99)) : Double.NaN,
                d.length, count, failures.get());
        System.exit(failures.get() == 0 && d.length == count ? 0 : 1);
    }

    /** A signed subscribe push of this follower, CreateTime now. */
    static HttpRequest push(String hub, String fixture, String openId) throws Exception {
        long ts = System.currentTimeMillis() / 1000;
        String nonce = Long.toString(ThreadLocalRandom.current().nextLong(1_000_000_000L, 9_999_999_999L));
        String signature = sign(TOKEN, Long.toString(ts), nonce);
        String body = fixture
                .replaceFirst("<FromUserName><!\\[CDATA\\[[^]]*]]></FromUserName>",
                        "<FromUserName><![CDATA[" + openId + "]]></FromUserName>")
                .replaceFirst("<CreateTime>\\d+</CreateTime>", "<CreateTime>" + ts + "</CreateTime>");
        return HttpRequest.newBuilder(URI.create(hub + "/wechat/" + ACCOUNT + "?signature=" + signature
                        + "&timestamp=" + ts + "&nonce=" + nonce + "&openid=" + openId))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "text/xml")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    static void waitForHealth(HttpClient client, String hub, int timeoutSeconds) throws InterruptedException {
        HttpRequest health = HttpRequest.newBuilder(URI.create(hub + "/actuator/health")).timeout(Duration.ofSeconds(2)).build();
        for (int s = 0; s < timeoutSeconds * 2; s++) {
            try {
                if (client.send(health, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not up yet
            }
            Thread.sleep(500);
        }
        System.err.println("hub at " + hub + " not healthy after " + timeoutSeconds + " s");
        System.exit(1);
    }

    /** Nearest-rank percentile of a sorted array. */
    static long pct(long[] sorted, double p) {
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    static double ms(long nanos) {
        return nanos / 1_000_000.0;
    }

    static String required(Map<String, String> args, String name) {
        String value = args.get(name);
        if (value == null) {
            System.err.println("--" + name + " is required");
            usage();
        }
        return value;
    }

    // ---------------------------------------------------------------- signature

    static java.lang.reflect.Method hubSign;

    static String signer() {
        return hubSign != null ? "com.wechathub.wechat.WechatSignature (target/classes)" : "local SHA-1 (target/classes not on the classpath)";
    }

    static {
        try {
            hubSign = Class.forName("com.wechathub.wechat.WechatSignature").getMethod("sign", String[].class);
        } catch (ReflectiveOperationException e) {
            hubSign = null;
        }
    }

    static String sign(String... parts) throws Exception {
        if (hubSign != null) {
            return (String) hubSign.invoke(null, (Object) parts);
        }
        String[] sorted = parts.clone();
        Arrays.sort(sorted);
        MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
        for (String part : sorted) {
            sha1.update(part.getBytes(StandardCharsets.UTF_8));
        }
        return HexFormat.of().formatHex(sha1.digest());
    }
}
