package com.wechathub.inbox;

import java.time.Instant;

/**
 * A failure that no retry can fix before a known time — WeChat refused the account's
 * configuration (errcode 40125, 40164, 89503, …) and every node leaves its AppID alone until then.
 * The dispatcher tries the event again then without spending one of its attempts
 * ({@link Inbox#failed}), for at most hub.dispatch.max-defer after the push arrived.
 */
public interface NotBefore {

    /** When a retry may succeed; null when this failure is an ordinary one (it counts as an attempt). */
    Instant notBefore();
}
