package com.wechathub.web;

import com.wechathub.metrics.HubMetrics;
import com.wechathub.wechat.PushProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.core.Ordered;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class WebConfiguration {

    /** First in line: a push refused for load costs the least when refused before anything else. */
    @Bean
    FilterRegistrationBean<LoadShedFilter> pushLoadShedding(PushProperties push, HubMetrics metrics) {
        var registration = new FilterRegistrationBean<>(new LoadShedFilter(push.maxInFlight(), () -> metrics.rejected("overloaded")));
        registration.addUrlPatterns("/wechat/*");
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 1);
        return registration;
    }

    /** Before the load-shedding filter, so that every refusal goes out with nosniff too. */
    @Bean
    FilterRegistrationBean<NoSniffFilter> pushNoSniff() {
        var registration = new FilterRegistrationBean<>(new NoSniffFilter());
        registration.addUrlPatterns("/wechat/*");
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
        return registration;
    }

    /**
     * Every body on the internet-facing endpoints is read here, capped at hub.push.max-body and
     * hub.push.body-timeout, before anything else reads it (Spring's FormContentFilter, at -9900,
     * reads a PUT form body whole) and before any route sees it.
     */
    @Bean
    FilterRegistrationBean<BodyLimitFilter> bodyLimit(PushProperties push, HubMetrics metrics) {
        var filter = new BodyLimitFilter(push.maxBody(), push.bodyTimeout(), () -> metrics.rejected("too_large"),
                () -> metrics.rejected("too_slow"));
        var registration = new FilterRegistrationBean<>(filter);
        registration.addUrlPatterns("/wechat/*", "/admin/*");
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 2);
        return registration;
    }

    @Bean
    FilterRegistrationBean<FormBodyFilter> pushNotAForm(HubMetrics metrics) {
        var registration = new FilterRegistrationBean<>(new FormBodyFilter(() -> metrics.rejected("content_type")));
        registration.addUrlPatterns("/wechat/*");
        return registration;
    }
}
