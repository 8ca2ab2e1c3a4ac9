package com.wechathub.campaign;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.wechathub.inbox.EventFields;
import com.wechathub.wechat.Rejection;
import com.wechathub.wechat.WechatProperties;
import com.wechathub.wechat.WechatProperties.Account;
import com.wechathub.wechat.api.WechatApi;
import com.wechathub.wechat.api.WechatApiException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * A campaign's QR code (docs/wechat.md, "The menu and scene-QR campaigns"): made with WeChat's {@code qrcode/create} — QR_STR_SCENE with
 * expire_seconds for a temporary code, QR_LIMIT_STR_SCENE for a permanent one — and kept in
 * wechat_campaign_qrcode. A permanent code is made once, ever; a temporary one again once it has
 * expired. Its image is fetched once from WeChat's {@code showqrcode} (routes/wechat-qrcode-image)
 * and kept with it, so the console shows it on a closed network.
 */
@Component("campaignQrCodes")
public class CampaignQrCodes {

    public static final String QRCODE_CREATE = "/cgi-bin/qrcode/create";
    static final String SHOW_QRCODE = "/cgi-bin/showqrcode";
    static final String IMAGE_ROUTE = "direct:wechat-qrcode-image";

    private static final Logger log = LoggerFactory.getLogger(CampaignQrCodes.class);

    private final WechatProperties accounts;
    private final WechatApi api;
    private final JdbcTemplate jdbc;
    private final ProducerTemplate producer;
    private final ObjectMapper json;
    private final Clock clock;

    CampaignQrCodes(WechatProperties accounts, WechatApi api, JdbcTemplate jdbc, ProducerTemplate producer, ObjectMapper json, Clock clock) {
        this.accounts = accounts;
        this.api = api;
        this.jdbc = jdbc;
        this.producer = producer;
        this.json = json;
        this.clock = clock;
    }

    /** The code kept for a campaign. */
    record QrCode(String scene, boolean permanent, String ticket, String url, Instant expiresAt) {
    }

    /**
     * POST /admin/accounts/{id}/campaigns/{scene}/qrcode → {scene, ticket, url, expiresAt, image}:
     * the kept code while it is valid, else a new one from WeChat.
     */
    public String create(Exchange exchange) throws JsonProcessingException {
        String id = exchange.getMessage().getHeader("id", String.class);
        Campaign campaign = campaign(exchange);
        QrCode kept = kept(id, campaign.scene());
        QrCode code = kept != null && (kept.permanent() || kept.expiresAt().isAfter(clock.instant())) ? kept : make(id, campaign, kept != null);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("scene", code.scene());
        answer.put("ticket", code.ticket());
        answer.put("url", code.url());
        answer.put("expiresAt", code.expiresAt() == null ? null : code.expiresAt().toString());
        answer.put("image", "/admin/accounts/" + encode(id) + "/campaigns/" + encode(code.scene()) + "/qrcode.png");
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
        return json.writeValueAsString(answer);
    }

    /** GET /admin/accounts/{id}/campaigns/{scene}/qrcode.png → WeChat's image of the kept code. */
    public byte[] image(Exchange exchange) {
        String id = exchange.getMessage().getHeader("id", String.class);
        Campaign campaign = campaign(exchange);
        QrCode kept = kept(id, campaign.scene());
        if (kept == null) {
            throw new Rejection(404, "admin_not_found", "campaign " + campaign.scene() + " has no QR code yet: POST its qrcode first");
        }
        List<byte[]> images = jdbc.query("SELECT image FROM wechat_campaign_qrcode WHERE account = ? AND scene = ? AND ticket = ?",
                (rs, n) -> rs.getBytes(1), id, campaign.scene(), kept.ticket());
        byte[] image = images.isEmpty() ? null : images.get(0);
        if (image == null) {
            image = fetch(kept.ticket());
            jdbc.update("UPDATE wechat_campaign_qrcode SET image = ? WHERE account = ? AND scene = ? AND ticket = ?",
                    image, id, campaign.scene(), kept.ticket());
        }
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, contentType(image));
        return image;
    }

    /** WeChat's showqrcode answers a JPEG, the stand-in a PNG: say which, from the image's first bytes. */
    static String contentType(byte[] image) {
        return isJpeg(image) ? "image/jpeg" : "image/png";
    }

    private static boolean isJpeg(byte[] image) {
        return image.length > 2 && (image[0] & 0xFF) == 0xFF && (image[1] & 0xFF) == 0xD8;
    }

    private static boolean isPng(byte[] image) {
        return image.length > 8 && (image[0] & 0xFF) == 0x89 && image[1] == 'P' && image[2] == 'N' && image[3] == 'G';
    }

    /** The campaign named by the request's {id} and {scene}; 404 when the account or the campaign is not configured. */
    Campaign campaign(Exchange exchange) {
        String id = exchange.getMessage().getHeader("id", String.class);
        String scene = exchange.getMessage().getHeader("scene", String.class);
        Account account = accounts.account(id).orElseThrow(() -> new Rejection(404, "admin_not_found", "no such account"));
        return account.campaign(scene).orElseThrow(() -> new Rejection(404, "admin_not_found", "no such campaign"));
    }

    QrCode kept(String account, String scene) {
        List<QrCode> rows = jdbc.query("SELECT scene, permanent, ticket, url, expires_at FROM wechat_campaign_qrcode WHERE account = ? AND scene = ?",
                (rs, n) -> new QrCode(rs.getString(1), rs.getBoolean(2), rs.getString(3), rs.getString(4),
                        rs.getObject(5) == null ? null : EventFields.instant(rs.getObject(5))), account, scene);
        return rows.isEmpty() ? null : rows.get(0);
    }

    private QrCode make(String id, Campaign campaign, boolean replacing) {
        Map<String, Object> request = new LinkedHashMap<>();
        if (!campaign.isPermanent()) {
            request.put("expire_seconds", campaign.expires().toSeconds());
        }
        request.put("action_name", campaign.isPermanent() ? "QR_LIMIT_STR_SCENE" : "QR_STR_SCENE");
        request.put("action_info", Map.of("scene", Map.of("scene_str", campaign.scene())));
        Map<String, Object> answer;
        try {
            answer = api.call(id, "POST", QRCODE_CREATE, Map.of(), request);
        } catch (WechatApiException e) {
            throw new Rejection(api.enabled(id) ? 502 : 409, "admin_wechat", "WeChat did not make the QR code: " + e.getMessage());
        }
        if (!(answer.get("ticket") instanceof String ticket) || !(answer.get("url") instanceof String url)) {
            throw new Rejection(502, "admin_wechat", "WeChat's qrcode/create answer has no ticket or url");
        }
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS); // as every database keeps it
        Instant expiresAt = campaign.isPermanent() ? null
                : now.plusSeconds(answer.get("expire_seconds") instanceof Number n ? n.longValue() : campaign.expires().toSeconds());
        Timestamp expires = expiresAt == null ? null : Timestamp.from(expiresAt);
        if (replacing) {
            jdbc.update("UPDATE wechat_campaign_qrcode SET permanent = ?, ticket = ?, url = ?, expires_at = ?, created_at = ?, image = NULL"
                    + " WHERE account = ? AND scene = ?", campaign.isPermanent(), ticket, url, expires, Timestamp.from(now), id, campaign.scene());
        } else {
            try {
                jdbc.update("INSERT INTO wechat_campaign_qrcode (account, scene, permanent, ticket, url, expires_at, created_at)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?)", id, campaign.scene(), campaign.isPermanent(), ticket, url, expires, Timestamp.from(now));
            } catch (DuplicateKeyException another) {
                return kept(id, campaign.scene()); // another request made it at the same moment: one code, the first kept
            }
        }
        log.info("Made the {} QR code of campaign {} of account {}", campaign.isPermanent() ? "permanent" : "temporary", campaign.scene(), id);
        return new QrCode(campaign.scene(), campaign.isPermanent(), ticket, url, expiresAt);
    }

    /** showqrcode?ticket=…: the ticket as one query value, URL-encoded (it holds '+', '/' and '='). */
    private byte[] fetch(String ticket) {
        Exchange answer = producer.send(IMAGE_ROUTE, exchange -> {
            exchange.getMessage().setHeader(Exchange.HTTP_METHOD, "GET");
            exchange.getMessage().setHeader(Exchange.HTTP_PATH, SHOW_QRCODE);
            exchange.getMessage().setHeader(Exchange.HTTP_QUERY, "ticket=" + URLEncoder.encode(ticket, StandardCharsets.UTF_8));
            exchange.getMessage().setBody(null);
        });
        if (answer.getException() != null) {
            throw new Rejection(502, "admin_wechat", "WeChat's showqrcode did not answer: " + answer.getException().getClass().getSimpleName());
        }
        int status = answer.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, 0, Integer.class);
        byte[] image = answer.getMessage().getBody(byte[].class);
        if (status != 200 || image == null || !(isPng(image) || isJpeg(image))) {
            throw new Rejection(502, "admin_wechat", "WeChat's showqrcode answered HTTP " + status + ", not an image");
        }
        return image;
    }

    private static String encode(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
