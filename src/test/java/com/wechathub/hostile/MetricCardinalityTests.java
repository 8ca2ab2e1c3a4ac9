package com.wechathub.hostile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.wechathub.support.HubIntegrationTest;
import com.wechathub.support.PushClient;
import com.wechathub.wechat.WechatSignature;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Attack: fill the metrics registry. Event names, message types and account names are the
 * sender's to choose; a meter tagged with them as sent would gain a series per made-up value
 * until /actuator/prometheus (and the heap) is flooded. Every tag comes from a fixed set.
 */
class MetricCardinalityTests extends HubIntegrationTest {

    @Test
    void madeUpEventsMessageTypesAndAccountsAddNoSeries() {
        // the series of "other" and of a 404 exist before counting
        pushMadeUp(0, 3);
        postToMadeUpAccounts(0, 1);
        Set<String> before = wechatSeries();

        pushMadeUp(3, 40);
        postToMadeUpAccounts(1, 20);
        await().atMost(Duration.ofSeconds(20)).until(() -> state.events(openId).stream().allMatch(e -> "done".equals(e.get("status"))));

        Set<String> after = wechatSeries();
        after.removeAll(before);
        assertThat(after).as("series added by made-up names").isEmpty();
        String scrape = management.get("/actuator/prometheus").body();
        assertThat(scrape).doesNotContain("EVIL_").doesNotContain("nobody").doesNotContain("weird_");
        assertThat(scrape).containsPattern("wechat_pushes_total\\{account=\"demo\",event=\"other\"[^}]*} [1-9]")
                .containsPattern("wechat_pushes_total\\{account=\"demo\",event=\"message:other\"[^}]*} [1-9]");
    }

    private void pushMadeUp(int from, int to) {
        for (int i = from; i < to; i++) {
            assertThat(client.send(push("EVIL_" + i, "event", createTime + i)).statusCode()).isEqualTo(200);
            assertThat(client.send(push(null, "weird_" + i, createTime + i)).statusCode()).isEqualTo(200);
        }
    }

    private void postToMadeUpAccounts(int from, int to) {
        for (int i = from; i < to; i++) {
            String nonce = "9" + i;
            String timestamp = PushClient.now();
            var answer = client.post("/wechat/nobody" + i + "?signature=" + WechatSignature.sign(PushClient.TOKEN, timestamp, nonce)
                    + "&timestamp=" + timestamp + "&nonce=" + nonce, push("subscribe", "event", createTime));
            assertThat(answer.statusCode()).isEqualTo(404);
        }
    }

    private String push(String event, String msgType, long time) {
        return "<xml><ToUserName><![CDATA[gh_demo_account]]></ToUserName><FromUserName><![CDATA[" + openId
                + "]]></FromUserName><CreateTime>" + time + "</CreateTime><MsgType><![CDATA[" + msgType + "]]></MsgType>"
                + (event == null ? "<MsgId>" + time + "</MsgId>" : "<Event><![CDATA[" + event + "]]></Event>") + "</xml>";
    }

    /** The wechat_* series on the scrape, each as its name and labels. */
    private Set<String> wechatSeries() {
        Set<String> series = new TreeSet<>();
        for (String line : management.get("/actuator/prometheus").body().split("\n")) {
            if (line.startsWith("wechat_")) {
                series.add(line.substring(0, line.lastIndexOf(' ')));
            }
        }
        return series;
    }
}
