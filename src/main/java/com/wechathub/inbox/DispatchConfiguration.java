package com.wechathub.inbox;

import org.apache.camel.CamelContext;
import org.apache.camel.spring.boot.CamelContextConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class DispatchConfiguration {

    /**
     * The threads a batch's events run on ({@code executorService: dispatchThreads} in
     * wechat-dispatch), hub.dispatch.threads of them, managed and shut down by Camel. Bound in
     * Camel's registry rather than declared as a Spring bean: an Executor bean would make Spring
     * Boot drop its own task executor, which platform-http answers on.
     */
    @Bean
    CamelContextConfiguration dispatchThreads(DispatchProperties properties) {
        return new CamelContextConfiguration() {
            @Override
            public void beforeApplicationStart(CamelContext camelContext) {
                camelContext.getRegistry().bind("dispatchThreads", camelContext.getExecutorServiceManager()
                        .newFixedThreadPool(this, "wechat-dispatch-event", properties.threads()));
            }

            @Override
            public void afterApplicationStart(CamelContext camelContext) {
                // nothing
            }
        };
    }
}
