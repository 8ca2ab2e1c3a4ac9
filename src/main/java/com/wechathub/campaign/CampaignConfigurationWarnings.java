package com.wechathub.campaign;

import com.wechathub.wechat.WechatProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationStartedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * What the hub accepts but an operator should change, one WARN line each at start-up:
 * {@code scene-replies} (replaced by campaigns, docs/wechat.md, "The menu and scene-QR campaigns") and a menu click key that has no reply.
 */
@Component
class CampaignConfigurationWarnings {

    private static final Logger log = LoggerFactory.getLogger(CampaignConfigurationWarnings.class);

    private final WechatProperties accounts;

    CampaignConfigurationWarnings(WechatProperties accounts) {
        this.accounts = accounts;
    }

    @EventListener(ApplicationStartedEvent.class)
    void warn() {
        accounts.accounts().forEach((id, account) -> {
            if (!account.sceneReplies().isEmpty()) {
                log.warn("wechat.accounts.{}.scene-replies is deprecated: give each scene a campaign with welcome and scan"
                        + " replies (wechat.accounts.{}.campaigns); it still works for now", id, id);
            }
            if (account.menu() != null) {
                account.menu().keysWithoutReply(account.menuReplies()).forEach(key -> log.warn(
                        "wechat.accounts.{}.menu: the click button with key {} has no reply (reply: on the button,"
                                + " or a menu-replies entry); a click on it is answered 'success'", id, key));
            }
        });
    }
}
