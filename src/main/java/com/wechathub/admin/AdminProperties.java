package com.wechathub.admin;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.context.annotation.Configuration;

/**
 * The operator API and console (docs/operating.md).
 *
 * @param token the bearer token every /admin/* call needs ("Authorization: Bearer &lt;token&gt;"); empty: the
 *              operator API and the console are off (404). Give it from the environment (HUB_ADMIN_TOKEN)
 */
@ConfigurationProperties("hub.admin")
public record AdminProperties(@DefaultValue("") String token) {

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties(AdminProperties.class)
    static class Registration {
    }
}
