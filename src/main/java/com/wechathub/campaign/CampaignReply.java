package com.wechathub.campaign;

import com.wechathub.wechat.WechatProperties.News;
import java.util.ArrayList;
import java.util.List;

/** A campaign's passive reply: exactly one of a text or one news article (docs/wechat.md, "The menu and scene-QR campaigns"). */
public record CampaignReply(String text, News news) {

    List<String> problems(String at) {
        List<String> problems = new ArrayList<>();
        if ((text == null) == (news == null)) {
            problems.add(at + ": give exactly one of text, news; it has " + (text == null ? "none" : "text and news"));
        } else if (news != null) {
            problems.addAll(news.problems(at + ".news"));
        }
        return problems;
    }
}
