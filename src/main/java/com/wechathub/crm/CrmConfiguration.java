package com.wechathub.crm;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.http.common.HttpMethods;
import org.apache.camel.spring.boot.CamelContextConfiguration;
import org.apache.camel.support.TypeConverterSupport;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class CrmConfiguration {

    /**
     * The routes name the CRM call's method as text (CamelHttpMethod: PUT); camel-http reads it as
     * its HttpMethods enum. Without a converter of its own, Camel finds its generic enum converter
     * anew on every call (a walk of the type hierarchy, 2 % of the hub's CPU under load, see
     * bench/README.md); registered, the lookup is a map hit.
     */
    @Bean
    CamelContextConfiguration httpMethodConverter() {
        return new CamelContextConfiguration() {
            @Override
            public void beforeApplicationStart(CamelContext camelContext) {
                camelContext.getTypeConverterRegistry().addTypeConverter(HttpMethods.class, String.class, new TypeConverterSupport() {
                    @Override
                    public <T> T convertTo(Class<T> type, Exchange exchange, Object value) {
                        return type.cast(HttpMethods.valueOf(value.toString()));
                    }
                });
            }

            @Override
            public void afterApplicationStart(CamelContext camelContext) {
                // nothing
            }
        };
    }
}
