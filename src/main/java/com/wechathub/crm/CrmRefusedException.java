package com.wechathub.crm;

/**
 * The CRM refused the request itself (a status in hub.crm.refused-statuses, such as 404 or 422):
 * the same request would be refused again, so the event is dead at once. Thrown after the circuit
 * breaker, which counts the call as answered: the CRM is up.
 */
public class CrmRefusedException extends CrmCallFailedException {

    public CrmRefusedException(String call, int statusCode, String detail) {
        super(call, statusCode, detail);
    }
}
