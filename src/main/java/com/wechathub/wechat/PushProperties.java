package com.wechathub.wechat;

import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;
import java.time.Duration;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * What a push to /wechat/{account} may be, and how much of them the hub takes at once
 * (docs/security.md).
 *
 * @param maxBody            the largest body taken on /wechat/* and /admin/*, chunked or not: once one byte more has
 *                           been read the request is refused 413 and the rest is not read
 * @param bodyTimeout        a body not received whole by then is refused 408 (WeChat sends a push at once)
 * @param maxInFlight        pushes processed at once; one more is refused at once with 503, and WeChat retries it
 * @param timestampTolerance a push whose timestamp is further from the hub's clock is refused 403, and so is a
 *                           CreateTime further ahead; 0 turns the check off (load generators only)
 * @param dedupeTtl          how long a push's dedupe key is kept: longer than WeChat's ~15 s of retries and the
 *                           timestamp tolerance
 * @param signatureReuse     {@code refuse}: a signature/timestamp/nonce triple carries one push only (WeChat's retries
 *                           repeat it byte for byte), the same triple with another body is refused 403. {@code allow}
 *                           is for load generators that sign every push alike, never for a hub facing the internet
 */
@Validated
@ConfigurationProperties("hub.push")
public record PushProperties(
        @DefaultValue("64KB") @NotNull DataSize maxBody,
        @DefaultValue("5s") @DurationMin(millis = 1) Duration bodyTimeout,
        @DefaultValue("200") @Positive int maxInFlight,
        @DefaultValue("300s") @DurationMin(seconds = 0) Duration timestampTolerance,
        @DefaultValue("10m") @DurationMin(seconds = 1) Duration dedupeTtl,
        @DefaultValue("refuse") @NotNull SignatureReuse signatureReuse) {

    /** Whether a signature seen once may carry another push. */
    public enum SignatureReuse {
        REFUSE, ALLOW
    }
}
