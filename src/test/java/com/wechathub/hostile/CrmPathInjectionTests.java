package com.wechathub.hostile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.wechathub.support.Fixtures;
import com.wechathub.support.HubIntegrationTest;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A FromUserName is text from the internet (docs/security.md): whatever it holds, the CRM call it causes
 * goes to {base-url}/bindings/{account}/{one segment}, the segment decoding back to the OpenID,
 * and to no other path or query (which would carry the CRM's bearer token elsewhere). Checked on
 * the exact request line WireMock received.
 */
class CrmPathInjectionTests extends HubIntegrationTest {


    @ParameterizedTest
    @ValueSource(strings = {"a/../../admin", "..", ".", "a?x=1", "a#b", "a%2Fb", "a b", "中文", "a;jsessionid=1", "a\\..\\b",
            "%2e%2e", "a+b&c=d", "../activities"})
    void aSubscribeBindsExactlyThatOpenIdAsOneSegment(String nastyOpenId) {
        LoggedRequest call = theOnlyCrmCallFor(nastyOpenId, "event-subscribe");
        assertThat(call.getMethod().getName()).isEqualTo("PUT");
    }

    @ParameterizedTest
    @ValueSource(strings = {"a/../../admin", "..", "a?x=1", "a#b", "a%2Fb", "中文"})
    void anUnsubscribeUnbindsExactlyThatOpenIdAsOneSegment(String nastyOpenId) {
        LoggedRequest call = theOnlyCrmCallFor(nastyOpenId, "event-unsubscribe");
        assertThat(call.getMethod().getName()).isEqualTo("DELETE");
    }

    private LoggedRequest theOnlyCrmCallFor(String nastyOpenId, String fixture) {
        assertThat(client.send(push(fixture, nastyOpenId)).statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(10)).until(() -> !state.events(nastyOpenId).isEmpty()
                && !List.of("pending", "claimed").contains(state.events(nastyOpenId).get(0).get("status")));
        assertThat(state.events(nastyOpenId).get(0)).containsEntry("status", "done");

        List<LoggedRequest> calls = crm.getAllServeEvents().stream().map(e -> e.getRequest()).toList();
        assertThat(calls).as("CRM calls for OpenID %s", nastyOpenId).hasSize(1);
        LoggedRequest call = calls.get(0);
        String url = call.getUrl();
        assertThat(url).as("the request line's path").startsWith("/bindings/demo/");
        String segment = url.substring("/bindings/demo/".length());
        assertThat(segment).as("one segment, no query or fragment").doesNotContain("/", "?", "#", "\\", ";")
                .isNotIn(".", "..");
        assertThat(percentDecoded(segment)).isEqualTo(nastyOpenId);
        return call;
    }

    /** The fixture from {@code openId} as it is (Fixtures.push reads '\' and '$' as regex replacement syntax). */
    private String push(String fixture, String openId) {
        return Fixtures.push(fixture, "oPlaceholder", createTime).replace("oPlaceholder", openId);
    }

    /** RFC 3986 percent-decoding (not form decoding: '+' is a plus). */
    private static String percentDecoded(String segment) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int i = 0; i < segment.length(); i++) {
            char c = segment.charAt(i);
            if (c == '%') {
                bytes.write(Integer.parseInt(segment.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                assertThat(c).as("only ASCII in the request line").isLessThan((char) 0x80);
                bytes.write(c);
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
