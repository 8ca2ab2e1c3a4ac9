package com.wechathub.wechat;

import com.wechathub.wechat.WechatProperties.Account;
import com.wechathub.wechat.WechatProperties.SceneReply;
import java.time.Clock;
import java.util.Optional;
import org.apache.camel.Exchange;
import org.springframework.stereotype.Component;

/**
 * Builds the passive reply WeChat shows the follower: a text message addressed back to them.
 * A retried push gets the same text again, because it is computed from the push, not stored.
 */
@Component("passiveReply")
public class PassiveReply {

    static final String SUCCESS = "success";

    private final Clock clock;

    public PassiveReply(Clock clock) {
        this.clock = clock;
    }

    /** subscribe: the scene's own welcome when the follow came through a scene QR code, else the account's. */
    public String welcome(Exchange exchange) {
        WechatEvent event = exchange.getMessage().getBody(WechatEvent.class);
        Account account = account(exchange);
        Optional<String> text = Optional.ofNullable(event.getScene())
                .flatMap(account::scene).map(SceneReply::welcome)
                .or(() -> Optional.ofNullable(account.welcome()));
        return text(event, text);
    }

    /** CLICK: the text configured for the menu key, if any. */
    public String click(Exchange exchange) {
        WechatEvent event = exchange.getMessage().getBody(WechatEvent.class);
        return text(event, Optional.ofNullable(event.getEventKey()).flatMap(account(exchange)::menuReply));
    }

    /** SCAN: the text configured for the scene, if any. */
    public String scan(Exchange exchange) {
        WechatEvent event = exchange.getMessage().getBody(WechatEvent.class);
        return text(event, Optional.ofNullable(event.getScene())
                .flatMap(account(exchange)::scene).map(SceneReply::scan));
    }

    private String text(WechatEvent event, Optional<String> content) {
        return content.filter(c -> !c.isBlank())
                .map(c -> textMessage(event.getFromUserName(), event.getToUserName(), clock.millis() / 1000, c))
                .orElse(SUCCESS);
    }

    private static Account account(Exchange exchange) {
        return exchange.getProperty(WechatPushes.ACCOUNT, Account.class);
    }

    /** WeChat's text message; ToUserName is the follower, FromUserName the account's original id. */
    static String textMessage(String toUser, String fromUser, long createTime, String content) {
        return "<xml><ToUserName>" + cdata(toUser) + "</ToUserName><FromUserName>" + cdata(fromUser)
                + "</FromUserName><CreateTime>" + createTime + "</CreateTime><MsgType><![CDATA[text]]></MsgType>"
                + "<Content>" + cdata(content) + "</Content></xml>";
    }

    private static String cdata(String value) {
        // "]]>" cannot appear inside a CDATA section: split it across two sections.
        return "<![CDATA[" + (value == null ? "" : value.replace("]]>", "]]]]><![CDATA[>")) + "]]>";
    }
}
