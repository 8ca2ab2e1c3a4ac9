package com.wechathub.hostile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.wechathub.dispatch.BrokerQueue;
import com.wechathub.support.Fixtures;
import com.wechathub.support.HubIntegrationTest;
import com.wechathub.support.PushClient;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.Environment;

/**
 * A push's Event and MsgType are text from the internet (docs/security.md): they reach the broker's
 * routing key only as a word from a fixed set, else "other", so they cannot reach another
 * consumer's binding or make a key the broker refuses; an account id with a dot, '*' or '#' is
 * still one word. Against the real RabbitMQ, with a queue bound to every key.
 */
class RoutingKeyTests extends HubIntegrationTest {

    @Autowired RabbitTemplate rabbit;
    @Autowired Environment environment;

    BrokerQueue everything;

    @BeforeEach
    void bindQueue() {
        everything = new BrokerQueue(rabbit, "#");
    }

    @AfterEach
    void unbindQueue() {
        everything.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"subscribe.#", "*", "#", "CLICK.other.demo", "a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q.r.s.t.u.v.w.x.y.z.0.1.2.3.",
            "中文事件", "", "demo.subscribe"})
    void anUnknownEventIsPublishedAsOther(String event) {
        String push = Fixtures.push("event-click", openId, createTime).replace("<Event><![CDATA[CLICK]]></Event>",
                "<Event><![CDATA[" + event + "]]></Event>");
        assertThat(push).contains(event);
        assertThat(client.send(push).statusCode()).isEqualTo(200);

        assertThat(routingKeys(everything.await(openId, 1))).containsExactly("demo.other");
        awaitDone();
    }

    @Test
    void anOrdinaryMessageOfAnUnknownTypeIsPublishedAsOther() {
        String push = Fixtures.push("message-text", openId, createTime).replace("<MsgType><![CDATA[text]]></MsgType>",
                "<MsgType><![CDATA[text.#.*]]></MsgType>");
        assertThat(push).contains("text.#.*");
        assertThat(client.send(push).statusCode()).isEqualTo(200);

        assertThat(routingKeys(everything.await(openId, 1))).containsExactly("demo.message.other");
        awaitDone();
    }

    @Test
    void knownEventsKeepTheirWordInAnyCase() {
        client.send(Fixtures.push("event-scan", openId, createTime));
        client.send(Fixtures.push("message-text", openId, createTime + 1));

        assertThat(routingKeys(everything.await(openId, 2))).containsExactlyInAnyOrder("demo.scan", "demo.message.text");
    }

    /** A configured account id with a dot and '*' (any character but letters, digits, '_', '-') is one word: a binding "shop.#" does not see it. */
    @Test
    void anAccountIdWithTopicSyntaxIsOneWord() {
        String account = "shop.cn*";
        try (ConfigurableApplicationContext shop = startSecondHub(environment, "shop-hub",
                "--wechat.accounts[" + account + "].token=shop-token", "--hub.dispatch.poll-interval=50");
             BrokerQueue shopDotAnything = new BrokerQueue(rabbit, "shop.#")) {
            PushClient shopClient = new PushClient(port(shop), account, "shop-token", PushClient.APP_ID, PushClient.AES_KEY);
            var answer = shopClient.send(Fixtures.push("event-click", openId, createTime));
            assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);

            assertThat(routingKeys(everything.await(openId, 1))).containsExactly("shop%2Ecn%2A.click");
            awaitDone();
            assertThat(shopDotAnything.drain(openId)).isEmpty();
        }
    }

    private void awaitDone() {
        await().atMost(Duration.ofSeconds(10)).until(() -> state.events(openId).stream().allMatch(e -> "done".equals(e.get("status"))));
    }

    private static List<String> routingKeys(List<Message> messages) {
        return messages.stream().map(m -> m.getMessageProperties().getReceivedRoutingKey()).toList();
    }
}
