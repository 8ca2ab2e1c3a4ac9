package com.wechathub.wechat;

import com.wechathub.campaign.Campaign;
import com.wechathub.campaign.CampaignReply;
import com.wechathub.reply.ReplyText;
import com.wechathub.wechat.WechatProperties.Account;
import com.wechathub.wechat.WechatProperties.MenuReply;
import com.wechathub.wechat.WechatProperties.News;
import com.wechathub.wechat.WechatProperties.SceneReply;
import java.time.Clock;
import java.util.Optional;
import org.apache.camel.Exchange;
import org.springframework.stereotype.Component;

/**
 * Builds the passive reply WeChat shows the follower: a text, news, image or transfer message
 * addressed back to them (docs/wechat.md). A retried push gets the same reply again, because it
 * is computed from the push and the configuration, not stored. A menu reply the CRM computes
 * ({@code crm:}) is only named here, in {@link #CRM_PATH}; routes/wechat-reply.camel.yaml then
 * asks the CRM for it.
 */
@Component("passiveReply")
public class PassiveReply {

    public static final String SUCCESS = "success";
    /** Exchange property: the CRM path ({openid}, {key} replaced) a {@code crm:} menu reply comes from. */
    public static final String CRM_PATH = "wechatReplyCrmPath";
    /** Exchange property: the push a {@code crm:} reply answers (the body is the reply by then). */
    public static final String EVENT = "wechatReplyEvent";

    private final Clock clock;

    public PassiveReply(Clock clock) {
        this.clock = clock;
    }

    /**
     * subscribe: the campaign's (or the older scene-replies') own welcome when the follow came
     * through a scene QR code, else the account's.
     */
    public String welcome(Exchange exchange) {
        WechatEvent event = exchange.getMessage().getBody(WechatEvent.class);
        Account account = account(exchange);
        Optional<CampaignReply> campaign = Optional.ofNullable(event.getScene()).flatMap(account::campaign).map(Campaign::welcome);
        if (campaign.isPresent()) {
            return reply(event, campaign.get());
        }
        Optional<String> text = Optional.ofNullable(event.getScene())
                .flatMap(account::scene).map(SceneReply::welcome)
                .or(() -> Optional.ofNullable(account.welcome()));
        if (text.filter(t -> !t.isBlank()).isEmpty() && account.welcomeNews() != null) {
            return news(event, account.welcomeNews());
        }
        return text(event, text);
    }

    /** CLICK: the reply configured for the menu key, if any. */
    public String click(Exchange exchange) {
        WechatEvent event = exchange.getMessage().getBody(WechatEvent.class);
        Optional<MenuReply> configured = Optional.ofNullable(event.getEventKey()).flatMap(account(exchange)::menuReply);
        if (configured.isEmpty()) {
            return SUCCESS;
        }
        MenuReply reply = configured.get();
        if (reply.news() != null) {
            return news(event, reply.news());
        }
        if (reply.image() != null) {
            return image(event, reply.image().mediaId());
        }
        if (reply.transfers()) {
            return message(event, "transfer_customer_service", "");
        }
        if (reply.crm() != null) {
            exchange.setProperty(CRM_PATH, crmPath(reply.crm(), event.getFromUserName(), event.getEventKey()));
            exchange.setProperty(EVENT, event);
            return SUCCESS; // until the CRM has answered
        }
        return text(event, Optional.ofNullable(reply.text()));
    }

    /** SCAN: the campaign's scan reply, or the text scene-replies configure for the scene, if any. */
    public String scan(Exchange exchange) {
        WechatEvent event = exchange.getMessage().getBody(WechatEvent.class);
        Optional<CampaignReply> campaign = Optional.ofNullable(event.getScene()).flatMap(account(exchange)::campaign).map(Campaign::scan);
        if (campaign.isPresent()) {
            return reply(event, campaign.get());
        }
        return text(event, Optional.ofNullable(event.getScene())
                .flatMap(account(exchange)::scene).map(SceneReply::scan));
    }

    /** A text reply to the push (as WeChat takes it: {@link ReplyText}), or "success" when there is no text. */
    public String text(WechatEvent event, Optional<String> content) {
        return content.map(ReplyText::clean).filter(c -> !c.isBlank())
                .map(c -> message(event, "text", "<Content>" + cdata(c) + "</Content>"))
                .orElse(SUCCESS);
    }

    private String reply(WechatEvent event, CampaignReply reply) {
        return reply.news() != null ? news(event, reply.news()) : text(event, Optional.ofNullable(reply.text()));
    }

    /** A news reply with one article (WeChat shows one). */
    public String news(WechatEvent event, News news) {
        return message(event, "news", "<ArticleCount>1</ArticleCount><Articles><item><Title>" + cdata(news.title())
                + "</Title><Description>" + cdata(news.description()) + "</Description><PicUrl>" + cdata(news.picUrl())
                + "</PicUrl><Url>" + cdata(news.url()) + "</Url></item></Articles>");
    }

    String image(WechatEvent event, String mediaId) {
        return message(event, "image", "<Image><MediaId>" + cdata(mediaId) + "</MediaId></Image>");
    }

    /**
     * {@code crm: /replies/{openid}/{key}}: each placeholder replaced by its value percent-encoded
     * as one path segment (docs/security.md): nothing from a push is syntax, so a FromUserName or EventKey
     * holding {@code /}, {@code ..}, {@code ?} or {@code #} never reaches another CRM path or query.
     */
    public static String crmPath(String template, String openId, String key) {
        return template.replace("{openid}", segment(openId)).replace("{key}", segment(key));
    }

    /** Every byte but letters, digits, '-', '_' and '~' percent-encoded ('.' too: ".." is no segment of its own). */
    static String segment(String value) {
        StringBuilder encoded = new StringBuilder();
        for (byte b : (value == null ? "" : value).getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '~') {
                encoded.append(c);
            } else {
                encoded.append('%').append(Character.toUpperCase(Character.forDigit((b >> 4) & 0xf, 16)))
                        .append(Character.toUpperCase(Character.forDigit(b & 0xf, 16)));
            }
        }
        return encoded.toString();
    }

    private String message(WechatEvent event, String msgType, String body) {
        return "<xml><ToUserName>" + cdata(event.getFromUserName()) + "</ToUserName><FromUserName>" + cdata(event.getToUserName())
                + "</FromUserName><CreateTime>" + clock.millis() / 1000 + "</CreateTime><MsgType>" + cdata(msgType)
                + "</MsgType>" + body + "</xml>";
    }

    private static Account account(Exchange exchange) {
        return exchange.getProperty(WechatPushes.ACCOUNT, Account.class);
    }

    private static String cdata(String value) {
        // "]]>" cannot appear inside a CDATA section: split it across two sections.
        return "<![CDATA[" + (value == null ? "" : value.replace("]]>", "]]]]><![CDATA[>")) + "]]>";
    }
}
