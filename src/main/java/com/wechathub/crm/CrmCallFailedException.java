package com.wechathub.crm;

/** The CRM answered a call with a status other than 2xx: the event's attempt failed and is retried. */
public class CrmCallFailedException extends RuntimeException {

    private final int statusCode;

    public CrmCallFailedException(String call, int statusCode, String detail) {
        super("CRM answered " + call + " with statusCode: " + statusCode + detail);
        this.statusCode = statusCode;
    }

    public int getStatusCode() {
        return statusCode;
    }
}
