package com.wechathub.wechat.api;

import com.wechathub.wechat.WechatProperties;
import java.util.Map;
import org.springframework.boot.actuate.health.AbstractHealthIndicator;
import org.springframework.boot.actuate.health.Health;
import org.springframework.stereotype.Component;

/**
 * Health component {@code wechatApi}: each API-enabled account's token state. No token yet is
 * normal (one is fetched on first use) and UP; DOWN only when this node's last token request
 * failed and no token is kept, i.e. the account cannot call WeChat right now.
 */
@Component("wechatApiHealthIndicator")
class WechatApiHealthIndicator extends AbstractHealthIndicator {

    private final WechatProperties properties;
    private final AccessTokens tokens;

    WechatApiHealthIndicator(WechatProperties properties, AccessTokens tokens) {
        super("WeChat API token check failed");
        this.properties = properties;
        this.tokens = tokens;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        boolean down = false;
        for (Map.Entry<String, WechatProperties.Account> account : properties.accounts().entrySet()) {
            if (!account.getValue().callsApi()) {
                continue;
            }
            try {
                builder.withDetail(account.getKey(), tokens.describe(account.getKey()));
                down |= tokens.failing(account.getKey());
            } catch (RuntimeException e) { // the token store (Redis) has its own health component
                builder.withDetail(account.getKey(), Map.of("token", "token store unreachable: " + e.getClass().getSimpleName()));
            }
        }
        if (down) {
            builder.down();
        } else {
            builder.up();
        }
    }
}
