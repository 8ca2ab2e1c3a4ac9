package com.wechathub.wechat;

import static org.assertj.core.api.Assertions.assertThat;

import com.wechathub.wechat.WechatProperties.Mode;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.BindHandler;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.handler.NoUnboundElementsBindHandler;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/**
 * wechat.accounts.&lt;id&gt;.mode binds like every other key of an account (nothing under wechat.*
 * may be unknown), defaults by whether the account has an AES key, and an unusable value is a
 * configuration problem naming the key, so start-up stops on it.
 */
class AccountModeTests {

    private static final String KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";

    @Test
    void theModeDefaultsToCompatibleWithAnAesKeyElsePlain() {
        WechatProperties properties = bind(Map.of(
                "wechat.accounts.aes.token", "t", "wechat.accounts.aes.app-id", "wx1", "wechat.accounts.aes.encoding-aes-key", KEY,
                "wechat.accounts.bare.token", "t"));

        assertThat(properties.accounts().get("aes").pushMode()).isEqualTo(Mode.COMPATIBLE);
        assertThat(properties.accounts().get("bare").pushMode()).isEqualTo(Mode.PLAIN);
        assertThat(properties.problems()).isEmpty();
    }

    @Test
    void eachOfWechatsModesBinds() {
        WechatProperties properties = bind(Map.of(
                "wechat.accounts.a.token", "t", "wechat.accounts.a.app-id", "wx1", "wechat.accounts.a.encoding-aes-key", KEY,
                "wechat.accounts.a.mode", "safe",
                "wechat.accounts.b.token", "t", "wechat.accounts.b.mode", "plain",
                "wechat.accounts.c.token", "t", "wechat.accounts.c.app-id", "wx1", "wechat.accounts.c.encoding-aes-key", KEY,
                "wechat.accounts.c.mode", "compatible"));

        assertThat(properties.accounts().get("a").pushMode()).isEqualTo(Mode.SAFE);
        assertThat(properties.accounts().get("b").pushMode()).isEqualTo(Mode.PLAIN);
        assertThat(properties.accounts().get("c").pushMode()).isEqualTo(Mode.COMPATIBLE);
        assertThat(properties.problems()).isEmpty();
    }

    @Test
    void anUnknownModeOrAnEncryptedModeWithoutAKeyIsAProblemNamingTheKey() {
        WechatProperties properties = bind(Map.of(
                "wechat.accounts.typo.token", "t", "wechat.accounts.typo.mode", "secure",
                "wechat.accounts.nokey.token", "t", "wechat.accounts.nokey.mode", "safe",
                "wechat.accounts.noappid.token", "t", "wechat.accounts.noappid.encoding-aes-key", KEY,
                "wechat.accounts.noappid.mode", "compatible"));

        assertThat(properties.problems()).containsExactlyInAnyOrder(
                "wechat.accounts.typo.mode: 'secure' is not one of plain, compatible, safe",
                "wechat.accounts.nokey.mode: safe needs app-id and encoding-aes-key",
                "wechat.accounts.noappid.mode: compatible needs app-id and encoding-aes-key");
        // Until start-up stops on it, a mistyped mode is held to the strictest.
        assertThat(properties.accounts().get("typo").pushMode()).isEqualTo(Mode.SAFE);
    }

    private static WechatProperties bind(Map<String, String> values) {
        Binder binder = new Binder(new MapConfigurationPropertySource(new HashMap<>(values)));
        return binder.bind("wechat", Bindable.of(WechatProperties.class), new NoUnboundElementsBindHandler(BindHandler.DEFAULT))
                .orElseThrow(() -> new AssertionError("nothing bound"));
    }
}
