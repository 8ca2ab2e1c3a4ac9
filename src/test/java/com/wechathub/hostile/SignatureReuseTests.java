package com.wechathub.hostile;

import com.wechathub.support.RedisKeys;
import static org.assertj.core.api.Assertions.assertThat;

import com.wechathub.support.Fixtures;
import com.wechathub.support.PushClient;
import java.net.http.HttpResponse;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A signature is used for one request body (docs/security.md). The plain signature covers only token,
 * timestamp and nonce; whoever saw a callback URL could send any event with it within the window.
 * WeChat's retry repeats every byte and is still taken; another body with the same triple is 403
 * and records nothing. In prod the triples live in Redis, hashed into the key.
 */
class SignatureReuseTests extends HostileHubTest {

    @Test
    void theSameSignatureWithAnotherEventIsRefusedAndRecordsNothing() {
        String query = "/wechat/demo?" + PushClient.signedQuery(PushClient.now()) + "&openid=o";
        String forger = openId + "x";
        assertThat(client.post(query, Fixtures.push("event-subscribe", openId, createTime)).statusCode()).isEqualTo(200);

        HttpResponse<String> forged = client.post(query, Fixtures.push("event-unsubscribe", forger, createTime));

        assertThat(forged.statusCode()).isEqualTo(403);
        assertThat(forged.body()).isEqualTo("signature was already used for another request");
        assertThat(state.eventCount(forger)).isZero();
        assertThat(state.eventCount(openId)).isEqualTo(1);
    }

    @Test
    void wechatsRetryOfTheSamePushIsStillTaken() {
        String query = "/wechat/demo?" + PushClient.signedQuery(PushClient.now()) + "&openid=o";
        String push = Fixtures.push("event-click", openId, createTime);

        HttpResponse<String> first = client.post(query, push);
        HttpResponse<String> retry = client.post(query, push);

        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(retry.statusCode()).isEqualTo(200);
        assertThat(first.body()).contains("Today's pick");
        assertThat(retry.body()).contains("Today's pick"); // the reply the original had
        assertThat(state.eventCount(openId)).isEqualTo(1);
    }

    @Test
    void anEncryptedPushsSignatureCannotCarryAPlainOne() {
        // The safe-mode push's query also carries the plain signature over the same triple.
        HttpResponse<String> encrypted = client.sendEncrypted(Fixtures.push("event-click", openId, createTime));
        assertThat(encrypted.statusCode()).isEqualTo(200);
        String query = encrypted.request().uri().getRawQuery().replaceAll("&encrypt_type=aes&msg_signature=[0-9a-f]+", "");

        HttpResponse<String> plain = client.post("/wechat/demo?" + query, Fixtures.push("event-view", openId + "x", createTime));

        assertThat(plain.statusCode()).isEqualTo(403);
        assertThat(state.eventCount(openId + "x")).isZero();
    }

    @Test
    void theTripleIsKeptInRedisHashedAndForTheTimestampWindow() {
        String timestamp = PushClient.now();
        String query = PushClient.signedQuery(timestamp);
        String nonce = query.replaceAll(".*&nonce=", "");
        assertThat(client.post("/wechat/demo?" + query + "&openid=o", Fixtures.push("event-click", openId, createTime)).statusCode())
                .isEqualTo(200);

        Set<String> keys = RedisKeys.matching(redis, keyPrefix() + ":signature:*");
        assertThat(keys).isNotEmpty().noneMatch(key -> key.contains(nonce) || key.contains(timestamp));
        assertThat(keys).allSatisfy(key -> assertThat(redis.getExpire(key)).isBetween(1L, 601L));
    }
}
