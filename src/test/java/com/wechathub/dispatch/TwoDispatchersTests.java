package com.wechathub.dispatch;

import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.wechathub.HubApplication;
import com.wechathub.support.Fixtures;
import com.wechathub.support.HubIntegrationTest;
import com.wechathub.support.ProdTestProperties;
import com.wechathub.support.PushClient;
import com.github.tomakehurst.wiremock.client.WireMock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.NotifyBuilder;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/** Two hubs on one database: every event is claimed, and so sent downstream, exactly once. */
class TwoDispatchersTests extends HubIntegrationTest {

    @Autowired RabbitTemplate rabbit;

    @Test
    void eachEventIsProcessedOnceWithTwoDispatchers() {
        try (ConfigurableApplicationContext second = new SpringApplicationBuilder(HubApplication.class)
                .profiles("prod")
                .run("--server.port=0", "--spring.datasource.url=" + ProdTestProperties.DATABASE_URL,
                        "--spring.flyway.schemas=wechat_hub_test", "--hub.dedupe.key-prefix=wechat-dedupe-test",
                        "--hub.crm.base-url=" + crm.baseUrl(), "--hub.dispatch.poll-interval=50", "--hub.dispatch.batch-size=5",
                        "--spring.jmx.enabled=false", "--camel.main.name=second-hub");
             BrokerQueue broker = new BrokerQueue(rabbit, "demo.subscribe")) {
            // A slow CRM and small batches keep both dispatchers busy at once; wait for the second's first poll.
            crm.stubFor(WireMock.any(WireMock.anyUrl()).willReturn(WireMock.ok().withFixedDelay(30)));
            NotifyBuilder secondPolled = new NotifyBuilder(second.getBean(CamelContext.class)).fromRoute("wechat-dispatch").whenDone(1).create();
            assertThat(secondPolled.matches(10, TimeUnit.SECONDS)).isTrue();
            PushClient secondClient = new PushClient(((WebServerApplicationContext) second).getWebServer().getPort());
            List<String> followers = IntStream.range(0, 40).mapToObj(i -> "t" + i + openId.substring(1)).toList();

            for (int i = 0; i < followers.size(); i++) {
                String push = Fixtures.push("event-subscribe", followers.get(i), createTime);
                (i % 2 == 0 ? client : secondClient).send(push);
            }

            await().atMost(Duration.ofSeconds(30)).until(() -> followers.stream().allMatch(f ->
                    state.events(f).stream().allMatch(r -> "done".equals(r.get("status")))));
            for (String follower : followers) {
                crm.verify(1, putRequestedFor(urlEqualTo("/bindings/demo/" + follower)));
                assertThat(broker.drain(follower)).as("messages for %s", follower).hasSize(1);
            }
            List<Object> nodes = jdbc.queryForList("SELECT DISTINCT claimed_by FROM wechat_event", Object.class);
            assertThat(nodes).as("both hubs took part").hasSize(2);
        }
    }
}
