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
 * the push is traced; the dispatch of its event from the inbox is one trace whose spans include
 * the calls to the CRM and the broker, which get its W3C traceparent.
 */
@TestPropertySource(properties = {"management.tracing.enabled=true", "management.tracing.sampling.probability=1.0"})
@Import(TracingTests.Spans.class)
class TracingTests extends HubIntegrationTest {

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
    void aPushIsTracedAndItsDispatchIsOneTraceCarriedToTheCrmAndTheBroker() {
        try (BrokerQueue broker = new BrokerQueue(rabbit, "demo.#")) {
            assertThat(client.send(Fixtures.push("event-subscribe", openId, createTime)).statusCode()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(10)).until(() -> "done".equals(state.events(openId).get(0).get("status")));

            List<LoggedRequest> calls = crm.findAll(anyRequestedFor(anyUrl())).stream()
                    .filter(r -> r.getBodyAsString().contains(openId)).toList();
            assertThat(calls).isNotEmpty();
            String crmParent = calls.get(0).getHeader("traceparent");
            assertThat(crmParent).as("W3C traceparent to the CRM").matches("00-[0-9a-f]{32}-[0-9a-f]{16}-01");
            String traceId = crmParent.split("-")[1];

            Message message = broker.await(openId, 1).get(0);
            assertThat(String.valueOf(message.getMessageProperties().getHeaders().get("traceparent")))
                    .as("the broker message's traceparent").startsWith("00-" + traceId + "-");

            await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
                List<SpanData> all = spans.getFinishedSpanItems();
                assertThat(all).as("the push's server span").anyMatch(s -> s.getKind() == SpanKind.SERVER
                        && s.getAttributes().toString().contains("/wechat/demo"));
                List<SpanData> trace = all.stream().filter(s -> s.getTraceId().equals(traceId)).toList();
                assertThat(trace).as("the dispatch of its event, the trace's root").anyMatch(s -> s.getName().equals("dispatch subscribe")
                        && !s.getParentSpanContext().isValid());
                assertThat(trace).as("the broker's span").anyMatch(s -> s.getKind() == SpanKind.PRODUCER);
            });
        }
    }
}
