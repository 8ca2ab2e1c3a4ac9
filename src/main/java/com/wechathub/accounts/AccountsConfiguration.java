package com.wechathub.accounts;

import com.wechathub.wechat.WechatProperties;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.ConfigurableEnvironment;

@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(AccountsProperties.class)
class AccountsConfiguration {

    @Bean("accounts")
    AccountsHealthIndicator accountsHealthIndicator(Clock clock, WechatProperties properties) {
        return new AccountsHealthIndicator(clock, properties);
    }

    @Bean
    @ConditionalOnProperty(name = "hub.accounts.reload.enabled", havingValue = "true", matchIfMissing = true)
    AccountsReloader accountsReloader(ConfigurableEnvironment environment, WechatProperties properties,
                                      AccountsProperties settings, AccountsHealthIndicator health,
                                      ApplicationEventPublisher events, MeterRegistry registry) {
        return new AccountsReloader(environment, properties, settings, health, events, registry);
    }
}
