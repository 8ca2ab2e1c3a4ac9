package com.wechathub.follower;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.context.annotation.Configuration;

/**
 * Follower details from WeChat (docs/wechat.md).
 *
 * @param detailsMaxAge a subscribe older than this (by its CreateTime) when it is dispatched is bound without
 *                      asking WeChat's user/info: what WeChat says now is no longer about that subscribe
 */
@ConfigurationProperties("hub.follower")
public record FollowerProperties(@DefaultValue("1h") Duration detailsMaxAge) {

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties(FollowerProperties.class)
    static class Registration {
    }
}
