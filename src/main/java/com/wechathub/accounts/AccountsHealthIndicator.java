package com.wechathub.accounts;

import com.wechathub.wechat.WechatProperties;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;

/**
 * The {@code accounts} component of /actuator/health: the outcome of the last live edit of the
 * accounts. Like a rejected route edit, a rejected account edit leaves the component UP: the
 * accounts that were running still serve WeChat; the rejection is in the details and in the
 * {@code hub.accounts.reloads{outcome="rejected"}} counter, which is what to alert on.
 */
final class AccountsHealthIndicator implements HealthIndicator {

    private final Clock clock;
    private final WechatProperties properties;
    private volatile Map<String, Object> details = Map.of("lastReload", "none");

    AccountsHealthIndicator(Clock clock, WechatProperties properties) {
        this.clock = clock;
        this.properties = properties;
    }

    void applied(List<String> changed) {
        Map<String, Object> next = started("applied");
        next.put("changed", changed);
        details = next;
    }

    void rejected(List<String> problems) {
        Map<String, Object> next = started("rejected");
        next.put("error", problems.get(0));
        next.put("problems", problems);
        next.put("running", "the accounts from before the edit");
        details = next;
    }

    void reverted() {
        Map<String, Object> next = started("reverted");
        next.put("running", "the accounts the files describe");
        details = next;
    }

    /** The outcome of the last edit, as the operator API and console show it. */
    Map<String, Object> details() {
        Map<String, Object> all = new LinkedHashMap<>(details);
        all.put("accounts", List.copyOf(properties.accounts().keySet())); // the live set, ids only
        return all;
    }

    private Map<String, Object> started(String outcome) {
        Map<String, Object> next = new LinkedHashMap<>();
        next.put("lastReload", outcome);
        next.put("at", Instant.now(clock).toString());
        return next;
    }

    @Override
    public Health health() {
        return Health.up().withDetails(details()).build();
    }
}
