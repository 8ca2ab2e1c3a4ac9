package com.wechathub.wechat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.util.unit.DataSize;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The accounts the hub serves, keyed by the {account} path segment of /wechat/{account}.
 * Reply texts are lists rather than maps: Spring's binder would silently strip the
 * underscores out of menu keys such as V1001_TODAY_MUSIC if they were map keys.
 */
@ConfigurationProperties("wechat")
public record WechatProperties(@DefaultValue Map<String, Account> accounts) {

    public Optional<Account> account(String id) {
        return Optional.ofNullable(id).map(accounts::get);
    }

    public record Account(
            String token,
            String appId,
            String encodingAesKey,
            String welcome,
            @DefaultValue List<MenuReply> menuReplies,
            @DefaultValue List<SceneReply> sceneReplies) {

        public boolean supportsSafeMode() {
            return appId != null && !appId.isBlank() && encodingAesKey != null && !encodingAesKey.isBlank();
        }

        Optional<String> menuReply(String key) {
            return menuReplies.stream().filter(r -> r.key().equals(key)).map(MenuReply::text).findFirst();
        }

        Optional<SceneReply> scene(String scene) {
            return sceneReplies.stream().filter(r -> r.scene().equals(scene)).findFirst();
        }

        @Override
        public String toString() {
            return "Account[appId=" + appId + "]"; // token and key are secrets: never logged
        }
    }

    /** Text answered when a follower clicks the menu item with this key. */
    public record MenuReply(String key, String text) {
    }

    /** Texts for a scene QR code: on a follow through it, and on a scan by a follower. */
    public record SceneReply(String scene, String welcome, String scan) {
    }

    /** Limits on what a push may be. */
    @ConfigurationProperties("hub.push")
    public record Limits(
            @DefaultValue("300s") Duration timestampTolerance,
            @DefaultValue("10m") Duration dedupeTtl,
            @DefaultValue("64KB") DataSize maxBody) {
    }
}
