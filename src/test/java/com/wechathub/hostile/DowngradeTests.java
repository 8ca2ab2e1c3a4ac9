package com.wechathub.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import com.wechathub.support.Fixtures;
import com.wechathub.support.PushClient;
import com.wechathub.wechat.WechatSignature;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * An account's encryption mode (wechat.accounts.&lt;id&gt;.mode, docs/security.md) holds whatever a push
 * asks for: a safe-mode account takes encrypted pushes only, so a plain push signed with its
 * token can never downgrade it; a plain-mode account takes no encrypted push.
 */
class DowngradeTests extends HostileHubTest {

    @Test
    void aSafeAccountTakesAnEncryptedPush() {
        PushClient safe = safeAccount();

        HttpResponse<String> response = safe.sendEncrypted(Fixtures.push("event-click", openId, createTime));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(state.eventCount(openId)).isEqualTo(1);
    }

    @Test
    void aPlainPushToASafeAccountIsRefusedThoughItsSignatureIsValid() {
        HttpResponse<String> response = safeAccount().send(Fixtures.push("event-subscribe", openId, createTime));

        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(response.body()).isEqualTo("account accepts encrypted pushes only");
        assertThat(state.eventCount(openId)).isZero();
    }

    @Test
    void aSafeAccountRefusesAnAesPushWithoutEncrypt() {
        String timestamp = PushClient.now();
        String nonce = "12345";
        String query = "signature=" + WechatSignature.sign(SAFE_TOKEN, timestamp, nonce) + "&timestamp=" + timestamp
                + "&nonce=" + nonce + "&openid=o&encrypt_type=aes&msg_signature=" + WechatSignature.sign(SAFE_TOKEN, timestamp, nonce, "");

        HttpResponse<String> response = client.post("/wechat/safe?" + query, Fixtures.push("event-subscribe", openId, createTime));

        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(state.eventCount(openId)).isZero();
    }

    @Test
    void aCompatibleAccountRefusesAnAesPushWithoutEncryptAsASafeOneDoes() {
        // encrypt_type=aes means safe mode (SPEC 3.2): without Encrypt there is nothing msg_signature could sign.
        String timestamp = PushClient.now();
        String nonce = "12346";
        String query = "signature=" + WechatSignature.sign(PushClient.TOKEN, timestamp, nonce) + "&timestamp=" + timestamp
                + "&nonce=" + nonce + "&openid=o&encrypt_type=aes&msg_signature=" + WechatSignature.sign(PushClient.TOKEN, timestamp, nonce);

        HttpResponse<String> response = client.post("/wechat/demo?" + query, Fixtures.push("event-subscribe", openId, createTime));

        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(response.body()).isEqualTo("Encrypt element is missing");
        assertThat(state.eventCount(openId)).isZero();
    }

    @Test
    void anEncryptThatIsNotBase64IsAPayloadThatFailsToDecrypt() {
        for (PushClient account : List.of(client, safeAccount())) {
            String timestamp = PushClient.now();
            String nonce = "12347";
            String encrypted = "!!!notbase64!!!";
            String token = account == client ? PushClient.TOKEN : SAFE_TOKEN;
            String query = "signature=" + WechatSignature.sign(token, timestamp, nonce) + "&timestamp=" + timestamp
                    + "&nonce=" + nonce + "&openid=o&encrypt_type=aes&msg_signature=" + WechatSignature.sign(token, timestamp, nonce, encrypted);

            HttpResponse<String> response = account.post("/wechat/" + (account == client ? "demo" : "safe") + "?" + query,
                    "<xml><ToUserName><![CDATA[gh_demo_account]]></ToUserName><Encrypt><![CDATA[" + encrypted + "]]></Encrypt></xml>");

            assertThat(response.statusCode()).as(response.uri().toString()).isEqualTo(400);
            assertThat(response.body()).isEqualTo("encrypted payload cannot be decrypted");
        }
    }

    @Test
    void aPlainAccountTakesPlainPushesOnlyThoughItHasAnAesKey() {
        PushClient plain = plainAccount();

        assertThat(plain.send(Fixtures.push("event-click", openId, createTime)).statusCode()).isEqualTo(200);
        assertThat(plain.sendEncrypted(Fixtures.push("event-view", openId, createTime)).statusCode()).isEqualTo(400);
        assertThat(state.eventCount(openId)).isEqualTo(1);
    }

    @Test
    void anAccountWithAnAesKeyAndNoModeIsCompatible() {
        assertThat(client.send(Fixtures.push("event-click", openId, createTime)).statusCode()).isEqualTo(200);
        assertThat(client.sendEncrypted(Fixtures.push("event-view", openId, createTime)).statusCode()).isEqualTo(200);
        assertThat(state.eventCount(openId)).isEqualTo(2);
    }
}
