package com.wechathub.accounts;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The live edit of {@code wechat.accounts} in the configuration files the hub started with.
 *
 * @param enabled      watch the files and apply a valid edit of the accounts without a restart
 * @param pollInterval how often the files are looked at
 * @param settle       a change must stay unchanged this long before it is read as a whole
 */
@ConfigurationProperties("hub.accounts.reload")
record AccountsProperties(
        @DefaultValue("true") boolean enabled,
        @DefaultValue("1s") Duration pollInterval,
        @DefaultValue("300ms") Duration settle) {
}
