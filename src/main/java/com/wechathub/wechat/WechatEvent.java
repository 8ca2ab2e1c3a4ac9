package com.wechathub.wechat;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.dataformat.xml.annotation.JacksonXmlRootElement;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * One push as WeChat sends it: an event (MsgType=event) or an ordinary message.
 * Field names are WeChat's own. Fields this class does not name (PicUrl, MediaId, …)
 * are kept in {@link #other()} so nothing a push carried is lost.
 */
@JacksonXmlRootElement(localName = "xml")
@JsonInclude(JsonInclude.Include.NON_NULL)
public class WechatEvent {

    // The widest value each stored field may have, in characters: the columns it is written to
    // (db/migration and db/migration-mysql; WechatEventWidthsTests reads them). A wider value is
    // refused at the door, before it is recorded, rather than failing the event in dispatch.
    /** FromUserName: wechat_event.open_id, wechat_follower.open_id. */
    public static final int OPEN_ID_WIDTH = 128;
    /** MsgType: wechat_event.msg_type. */
    public static final int MSG_TYPE_WIDTH = 32;
    /** Event: wechat_event.event. */
    public static final int EVENT_WIDTH = 64;
    /** EventKey: wechat_event.event_key. */
    public static final int EVENT_KEY_WIDTH = 2048;
    /** The scene of a scene QR code (from EventKey, {@link #getScene()}): wechat_follower.scene, last_scene. */
    public static final int SCENE_WIDTH = 128;

    @JsonProperty("ToUserName") private String toUserName;
    @JsonProperty("FromUserName") private String fromUserName;
    @JsonProperty("CreateTime") private Long createTime;
    @JsonProperty("MsgType") private String msgType;
    @JsonProperty("Event") private String event;
    @JsonProperty("EventKey") private String eventKey;
    @JsonProperty("Ticket") private String ticket;
    @JsonProperty("Latitude") private Double latitude;
    @JsonProperty("Longitude") private Double longitude;
    @JsonProperty("Precision") private Double precision;
    @JsonProperty("MsgId") private String msgId;
    @JsonProperty("Content") private String content;
    /** Present in safe and compatible modes; never part of the recorded event. */
    @JsonProperty(value = "Encrypt", access = JsonProperty.Access.WRITE_ONLY) private String encrypt;

    private final Map<String, Object> other = new LinkedHashMap<>();

    public String getToUserName() { return toUserName; }
    public void setToUserName(String v) { toUserName = v; }
    public String getFromUserName() { return fromUserName; }
    public void setFromUserName(String v) { fromUserName = v; }
    public Long getCreateTime() { return createTime; }
    public void setCreateTime(Long v) { createTime = v; }
    public String getMsgType() { return msgType; }
    public void setMsgType(String v) { msgType = v; }
    public String getEvent() { return event; }
    public void setEvent(String v) { event = v; }
    public String getEventKey() { return eventKey; }
    public void setEventKey(String v) { eventKey = v; }
    public String getTicket() { return ticket; }
    public void setTicket(String v) { ticket = v; }
    public Double getLatitude() { return latitude; }
    public void setLatitude(Double v) { latitude = v; }
    public Double getLongitude() { return longitude; }
    public void setLongitude(Double v) { longitude = v; }
    public Double getPrecision() { return precision; }
    public void setPrecision(Double v) { precision = v; }
    public String getMsgId() { return msgId; }
    public void setMsgId(String v) { msgId = v; }
    public String getContent() { return content; }
    public void setContent(String v) { content = v; }
    public String getEncrypt() { return encrypt; }
    public void setEncrypt(String v) { encrypt = v; }

    @JsonAnyGetter
    public Map<String, Object> other() { return other; }

    @JsonAnySetter
    public void other(String name, Object value) { other.put(name, value); }

    /** Why a field is too wide for its column ("EventKey … longer than …"), if one is. */
    public Optional<String> tooWide() {
        return Stream.of(
                        tooWide("FromUserName", fromUserName, OPEN_ID_WIDTH),
                        tooWide("MsgType", msgType, MSG_TYPE_WIDTH),
                        tooWide("Event", event, EVENT_WIDTH),
                        tooWide("EventKey", eventKey, EVENT_KEY_WIDTH),
                        tooWide("EventKey (the scene)", getScene(), SCENE_WIDTH))
                .flatMap(Optional::stream).findFirst();
    }

    /**
     * A LOCATION's numbers as WeChat sends them: a latitude within ±90, a longitude within ±180, a
     * precision of at least 0. NaN, infinities and anything else would reach the follower row and
     * the broker as they are, or fail there.
     */
    public Optional<String> notALocation() {
        return Stream.of(
                        outside(latitude, -90, 90, "Latitude must be a number from -90 to 90"),
                        outside(longitude, -180, 180, "Longitude must be a number from -180 to 180"),
                        outside(precision, 0, Double.MAX_VALUE, "Precision must be a number of at least 0"))
                .flatMap(Optional::stream).findFirst();
    }

    private static Optional<String> outside(Double value, double min, double max, String reason) {
        return value != null && !(value >= min && value <= max) ? Optional.of(reason) : Optional.empty();
    }

    private static Optional<String> tooWide(String field, String value, int width) {
        return value != null && value.codePointCount(0, value.length()) > width
                ? Optional.of(field + " is longer than " + width + " characters") : Optional.empty();
    }

    /** True for MsgType=event; ordinary messages (text, image, …) are not events. */
    @JsonIgnore
    public boolean isEvent() {
        return "event".equals(msgType);
    }

    /**
     * The scene of a scene QR code: a follow through one carries EventKey "qrscene_&lt;scene&gt;",
     * a scan by an existing follower carries the bare scene.
     */
    @JsonIgnore
    public String getScene() {
        if (eventKey == null || eventKey.isEmpty()) {
            return null;
        }
        if ("subscribe".equals(event)) {
            return eventKey.startsWith("qrscene_") ? eventKey.substring("qrscene_".length()) : null;
        }
        return "SCAN".equals(event) ? eventKey : null;
    }
}
