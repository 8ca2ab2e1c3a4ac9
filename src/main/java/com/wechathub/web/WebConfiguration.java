package com.wechathub.web;

import com.wechathub.metrics.HubMetrics;
import com.wechathub.wechat.WechatProperties;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.core.Ordered;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class WebConfiguration {

    /** First in line: a push refused for load costs the least when refused before anything else. */
    @Bean
    FilterRegistrationBean<LoadShedFilter> pushLoadShedding(@Value("${hub.push.max-in-flight:200}") int limit, HubMetrics metrics) {
        var registration = new FilterRegistrationBean<>(new LoadShedFilter(limit, () -> metrics.rejected("overloaded")));
        registration.addUrlPatterns("/wechat/*");
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
        return registration;
    }

    @Bean
    FilterRegistrationBean<BodyLimitFilter> pushBodyLimit(WechatProperties.Limits limits, HubMetrics metrics) {
        var filter = new BodyLimitFilter(limits.maxBody(), () -> metrics.rejected("too_large"));
        var registration = new FilterRegistrationBean<>(filter);
        registration.addUrlPatterns("/wechat/*");
        return registration;
    }

    @Bean
    FilterRegistrationBean<FormBodyFilter> pushNotAForm(HubMetrics metrics) {
        var registration = new FilterRegistrationBean<>(new FormBodyFilter(() -> metrics.rejected("content_type")));
        registration.addUrlPatterns("/wechat/*");
        return registration;
    }
}
