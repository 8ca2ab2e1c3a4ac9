package com.wechathub.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import com.wechathub.support.HubIntegrationTest;
import com.wechathub.support.ProdTestProperties;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

/**
 * Guessing the operator token (docs/security.md): a client address that sent 20 wrong tokens within a
 * minute is answered 429 with Retry-After, even with the right token, while another client's
 * right token still works. Each guesser here has a loopback address of its own (127.x.y.z), so
 * it blocks neither the other tests nor 127.0.0.1.
 */
class AdminTokenGuessingTests extends HubIntegrationTest {

    record Answer(int status, String head) {
    }

    /** An operator API call from the given local address (HttpClient cannot choose one on Java 17). */
    Answer call(InetAddress from, String token) {
        try (Socket socket = new Socket()) {
            socket.bind(new InetSocketAddress(from, 0));
            socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET /admin/summary HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            String answer = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            String head = answer.substring(0, Math.max(0, answer.indexOf("\r\n\r\n")));
            return new Answer(Integer.parseInt(head.substring(9, 12)), head);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static InetAddress someLoopbackAddress() throws IOException {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        return InetAddress.getByAddress(new byte[] {127, (byte) random.nextInt(1, 255), (byte) random.nextInt(1, 255), (byte) random.nextInt(2, 255)});
    }

    @Test
    void aClientThatKeepsGuessingGets429WithRetryAfterAndOthersAreNotBlocked() throws IOException {
        InetAddress guesser = someLoopbackAddress();
        for (int i = 1; i <= 20; i++) {
            assertThat(call(guesser, "guess-" + i).status()).as("guess %d", i).isEqualTo(401);
        }

        Answer refused = call(guesser, "guess-21");
        assertThat(refused.status()).isEqualTo(429);
        long retryAfter = refused.head().lines().filter(line -> line.regionMatches(true, 0, "Retry-After:", 0, 12))
                .map(line -> Long.parseLong(line.substring(12).trim())).findFirst().orElseThrow(() -> new AssertionError(refused.head()));
        assertThat(retryAfter).isBetween(1L, 60L);
        // the right token from the guesser's address is refused too: a guess that hits is not told apart
        assertThat(call(guesser, ProdTestProperties.ADMIN_TOKEN).status()).isEqualTo(429);

        // another client, and the operator on 127.0.0.1, still get in
        assertThat(call(someLoopbackAddress(), ProdTestProperties.ADMIN_TOKEN).status()).isEqualTo(200);
        assertThat(client.operator("GET", "/admin/summary", ProdTestProperties.ADMIN_TOKEN).statusCode()).isEqualTo(200);
    }

    @Test
    void aRightTokenClearsTheClientsEarlierMistakes() throws IOException {
        InetAddress operator = someLoopbackAddress();
        for (int i = 1; i <= 19; i++) {
            assertThat(call(operator, "typo-" + i).status()).isEqualTo(401);
        }
        assertThat(call(operator, ProdTestProperties.ADMIN_TOKEN).status()).isEqualTo(200);
        assertThat(call(operator, "one-more-typo").status()).isEqualTo(401);
        assertThat(call(operator, ProdTestProperties.ADMIN_TOKEN).status()).isEqualTo(200);
    }
}
