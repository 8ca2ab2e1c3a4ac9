package com.wechathub.reply;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.wechathub.wechat.PassiveReply;
import com.wechathub.wechat.WechatEvent;
import com.wechathub.wechat.WechatProperties.News;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the CRM answers for a {@code crm:} menu reply: {@code {"text":"…"}} or
 * {@code {"news":{"title","description","pic-url","url"}}}. As a passive reply it is WeChat's reply
 * XML; sent late, a customer-service message (custom/send).
 */
record CrmReply(String text, Article news) {

    record Article(String title, String description, @JsonProperty("pic-url") String picUrl, String url) {

        Article {
            title = ReplyText.clean(title);
            description = ReplyText.clean(description);
        }

        boolean isValid() {
            return title != null && !title.isBlank() && url != null && !url.isBlank();
        }
    }

    /** The text as WeChat takes it: no control characters but newline, at most 2,048 bytes of UTF-8. */
    CrmReply {
        text = ReplyText.clean(text);
    }

    /** Exactly one of a non-blank text or a news article with a title and a URL. */
    boolean isValid() {
        return text != null && !text.isBlank() ? news == null : news != null && news.isValid();
    }

    String passive(PassiveReply replies, WechatEvent event) {
        return news != null
                ? replies.news(event, new News(news.title(), news.description(), news.picUrl(), news.url()))
                : replies.text(event, Optional.of(text));
    }

    /** The body of {@code POST /cgi-bin/message/custom/send}. */
    Map<String, Object> customMessage(String openId) {
        Map<String, Object> message = new LinkedHashMap<>();
        message.put("touser", openId);
        if (news != null) {
            Map<String, Object> article = new LinkedHashMap<>();
            article.put("title", news.title());
            article.put("description", news.description());
            article.put("url", news.url());
            article.put("picurl", news.picUrl());
            message.put("msgtype", "news");
            message.put("news", Map.of("articles", List.of(article)));
        } else {
            message.put("msgtype", "text");
            message.put("text", Map.of("content", text));
        }
        return message;
    }
}
