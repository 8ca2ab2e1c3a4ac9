package com.wechathub.routefiles;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Properties;
import org.apache.camel.CamelContext;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;

/**
 * {@code {{millis:key}}}: a duration as Spring Boot writes it, in the milliseconds camel-http's
 * timeouts take (routes/wechat-crm-reply.camel.yaml: hub.reply.max-wait is its request's timeout).
 */
class MillisPropertiesFunctionTests {

    @Test
    void aRouteReadsADurationKeyInMilliseconds() throws Exception {
        try (CamelContext camel = new DefaultCamelContext()) {
            Properties properties = new Properties();
            properties.setProperty("hub.reply.max-wait", "45s");
            properties.setProperty("iso", "PT1M");
            properties.setProperty("plain", "1500");
            camel.getPropertiesComponent().setInitialProperties(properties);
            camel.start();
            assertThat(camel.resolvePropertyPlaceholders("{{millis:hub.reply.max-wait}}")).isEqualTo("45000");
            assertThat(camel.resolvePropertyPlaceholders("{{millis:iso}}")).isEqualTo("60000");
            assertThat(camel.resolvePropertyPlaceholders("{{millis:plain}}")).isEqualTo("1500");
        }
    }
}
