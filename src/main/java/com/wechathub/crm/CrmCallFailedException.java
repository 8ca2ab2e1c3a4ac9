package com.wechathub.crm;

/** The CRM answered a call with a status other than 2xx: the event's attempt failed and is retried. */
public class CrmCallFailedException extends RuntimeException {

    public CrmCallFailedException(String call, int statusCode, String detail) {
        super("CRM answered " + call + " with statusCode: " + statusCode + detail);
    }
}
