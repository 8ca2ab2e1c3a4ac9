package com.wechathub.wechat.api;

import java.util.Locale;
import org.apache.camel.Exchange;
import org.apache.camel.spi.HeaderFilterStrategy;
import org.springframework.stereotype.Component;

/** WeChat's API gets only a Content-Type header; nothing of its answer is copied onto the exchange. */
@Component("wechatApiHeaderFilter")
class WechatApiHeaderFilter implements HeaderFilterStrategy {

    @Override
    public boolean applyFilterToCamelHeaders(String headerName, Object headerValue, Exchange exchange) {
        return !"content-type".equals(headerName.toLowerCase(Locale.ROOT));
    }

    @Override
    public boolean applyFilterToExternalHeaders(String headerName, Object headerValue, Exchange exchange) {
        return true;
    }
}
