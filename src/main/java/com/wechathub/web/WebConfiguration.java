package com.wechathub.web;

import com.wechathub.metrics.HubMetrics;
import com.wechathub.wechat.WechatProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class WebConfiguration {

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
