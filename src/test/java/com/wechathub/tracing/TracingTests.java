package com.wechathub.tracing;

import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.wechathub.dispatch.BrokerQueue;
import com.wechathub.support.Fixtures;
import com.wechathub.support.HubIntegrationTest;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.TestPropertySource;

/**
 * Traces, switched on (management.tracing.enabled, every push sampled) with spans kept in memory:
 * a push and the dispatch of its event are one trace. The push's trace context is kept on its
 * inbox row; the dispatch continues it, and the calls to the CRM and the broker get its W3C
 * traceparent.
 */
@TestPropertySource(properties = {"management.tracing.enabled=true", "management.tracing.sampling.probability=1.0"})
@Import(TracingTests.Spans.class)
class TracingTests extends HubIntegrationTest {

    private static final String TRACEPARENT = "00-[0-9a-f]{32}-[0-9a-f]{16}-01";

    @TestConfiguration(proxyBeanMethods = false)
    static class Spans {
        @Bean
        InMemorySpanExporter inMemorySpanExporter() {
            return InMemorySpanExporter.create();
        }
    }

    @Autowired InMemorySpanExporter spans;
    @Autowired RabbitTemplate rabbit;

    @Test
    void aPushAndTheDispatchOfItsEventAreOneTraceCarriedToTheCrmAndTheBroker() {
        try (BrokerQueue broker = new BrokerQueue(rabbit, "demo.#")) {
            assertThat(client.send(Fixtures.push("event-subscribe", openId, createTime)).statusCode()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(10)).until(() -> "done".equals(state.events(openId).get(0).get("status")));

            String kept = (String) state.events(openId).get(0).get("traceparent");
            assertThat(kept).as("the push's traceparent on its inbox row").matches(TRACEPARENT);
            String traceId = kept.split("-")[1];
            String pushSpanId = kept.split("-")[2];

            List<LoggedRequest> calls = crm.findAll(anyRequestedFor(anyUrl())).stream()
                    .filter(r -> r.getBodyAsString().contains(openId)).toList();
            assertThat(calls).isNotEmpty();
            assertThat(calls.get(0).getHeader("traceparent")).as("W3C traceparent to the CRM, in the push's trace")
                    .matches(TRACEPARENT).startsWith("00-" + traceId + "-");

            Message message = broker.await(openId, 1).get(0);
            assertThat(String.valueOf(message.getMessageProperties().getHeaders().get("traceparent")))
                    .as("the broker message's traceparent, in the push's trace").startsWith("00-" + traceId + "-");

            await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
                List<SpanData> trace = spans.getFinishedSpanItems().stream().filter(s -> s.getTraceId().equals(traceId)).toList();
                assertThat(trace).as("the push's server span").anyMatch(s -> s.getKind() == SpanKind.SERVER
                        && s.getAttributes().toString().contains("/wechat/demo"));
                assertThat(trace).as("the push's span the row keeps").anyMatch(s -> s.getSpanId().equals(pushSpanId));
                assertThat(trace).as("the dispatch of its event, continuing the push's span")
                        .anyMatch(s -> s.getName().equals("dispatch subscribe") && s.getParentSpanId().equals(pushSpanId));
                assertThat(trace).as("the broker's span").anyMatch(s -> s.getKind() == SpanKind.PRODUCER);
            });
        }
    }
}
