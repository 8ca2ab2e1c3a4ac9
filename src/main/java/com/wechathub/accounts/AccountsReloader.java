package com.wechathub.accounts;

import com.wechathub.filewatch.SettledFiles;
import com.wechathub.wechat.WechatProperties;
import com.wechathub.wechat.WechatProperties.Account;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.event.EventListener;
import org.springframework.core.env.ConfigurableEnvironment;

/**
 * Watches the configuration files the hub started with and applies an edit of {@code wechat.accounts}
 * to the running hub once it has been validated as at start-up. A broken edit (YAML that does not
 * parse, an unknown key, a 42-character AES key, a published sample token, …) changes nothing: the
 * running accounts keep serving; it is logged (WARN, with file and line), shown on /actuator/health
 * under {@code accounts}, and counted in {@code hub.accounts.reloads{outcome="rejected"}}.
 *
 * <p>A file saved in place and a file replaced by a rename (editors, Kubernetes ConfigMaps) read the
 * same: the file's content is compared, not its timestamps. A change is taken once it has stayed
 * the same for the settle time.
 */
final class AccountsReloader implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(AccountsReloader.class);

    private final ConfigFiles files;
    private final ConfigurableEnvironment environment;
    private final WechatProperties properties;
    private final AccountsProperties settings;
    private final AccountsHealthIndicator health;
    private final ApplicationEventPublisher events;
    private final Counter applied;
    private final Counter rejected;
    private final SettledFiles<Path> watch;

    // Only ever touched on the watch's thread.
    private boolean rejectedPending;

    AccountsReloader(ConfigurableEnvironment environment, WechatProperties properties, AccountsProperties settings,
                     AccountsHealthIndicator health, ApplicationEventPublisher events, MeterRegistry registry) {
        this.files = new ConfigFiles(environment);
        this.environment = environment;
        this.properties = properties;
        this.settings = settings;
        this.health = health;
        this.events = events;
        this.applied = reloads(registry, "applied");
        this.rejected = reloads(registry, "rejected");
        this.watch = new SettledFiles<>("accounts-reload", "the configuration files " + files.files(), files::read,
                edit -> reload(), settings.settle());
    }

    private static Counter reloads(MeterRegistry registry, String outcome) {
        return Counter.builder("hub.accounts.reloads")
                .description("Live edits of wechat.accounts: applied, or rejected because the new settings are not valid")
                .tag("outcome", outcome)
                .register(registry);
    }

    @EventListener(ApplicationReadyEvent.class)
    public void startWatching() {
        if (files.files().isEmpty()) {
            log.info("No configuration file to watch for account changes: accounts change on restart only");
            return;
        }
        watch.start(() -> log.info("Watching {} for account changes; an edit is applied only if it is valid", files.files()),
                settings.pollInterval());
    }

    @Override
    public void destroy() {
        watch.close();
    }

    /** Validates the files as they are now and, when valid, makes their accounts the running ones. */
    void reload() {
        AccountsCandidate candidate;
        try {
            candidate = AccountsCandidate.of(files.reload(), environment);
        } catch (IllegalStateException e) {
            candidate = new AccountsCandidate(null, List.of(e.getMessage()));
        }
        if (!candidate.valid()) {
            rejectedPending = true;
            rejected.increment();
            health.rejected(candidate.problems());
            candidate.problems().forEach(problem ->
                    log.warn("Account edit rejected, the running accounts stay as they were: {}", problem));
            return;
        }
        Map<String, Account> before = new TreeMap<>(properties.accounts());
        List<String> changed = properties.replaceAccounts(candidate.properties().accounts());
        if (changed.isEmpty()) {
            if (rejectedPending) {
                rejectedPending = false;
                health.reverted();
                log.info("The account settings are back to the running accounts");
            }
            return;
        }
        rejectedPending = false;
        applied.increment();
        health.applied(changed);
        events.publishEvent(new AccountsChanged(before, new TreeMap<>(properties.accounts())));
        log.info("Accounts changed live: {}", changed); // ids only: the settings hold secrets
    }
}
