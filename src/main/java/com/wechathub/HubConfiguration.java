package com.wechathub;

import com.wechathub.inbox.DispatchProperties;
import com.wechathub.node.NodeIdentity;
import com.wechathub.wechat.DedupeProperties;
import com.wechathub.wechat.PushProperties;
import com.wechathub.wechat.WechatProperties;
import java.time.Clock;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties({WechatProperties.class, PushProperties.class, DedupeProperties.class, DispatchProperties.class,
        OutboundProperties.class})
class HubConfiguration {

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }

    /** This node, as the inbox's claims, late replies' claims and the access-token locks name it. */
    @Bean
    NodeIdentity nodeIdentity(DispatchProperties dispatch) {
        return new NodeIdentity(dispatch.nodeName());
    }
}
