package com.wechathub.reply;

import java.io.InterruptedIOException;
import java.util.function.Supplier;
import org.apache.camel.component.http.HttpClientConfigurer;
import org.apache.hc.client5.http.classic.ExecRuntime;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;
import org.apache.hc.core5.concurrent.Cancellable;
import org.springframework.stereotype.Component;

/**
 * Makes a {@code crm:} reply's HTTP request (routes/wechat-crm-reply.camel.yaml, its
 * {@code httpClientConfigurer}) abortable from another thread: a reply that is cancelled — expired,
 * refused by a full node, of an account that cannot send it — closes its connection to the CRM at
 * once instead of holding a thread and a pooled connection until hub.reply.max-wait. The
 * request runs on the thread that asks ({@link ReplyFromCrm}); a hook in the client's execution
 * chain hands the request in flight to that thread's {@link Call}.
 */
@Component("crmReplyCalls")
public class CrmReplyCalls implements HttpClientConfigurer {

    private static final ThreadLocal<Call> CURRENT = new ThreadLocal<>();

    @Override
    public void configureHttpClient(HttpClientBuilder builder) {
        builder.addExecInterceptorFirst("hub-abortable-crm-reply", (request, scope, chain) -> {
            Call call = CURRENT.get();
            if (call != null) {
                call.started(scope.originalRequest instanceof Cancellable cancellable ? cancellable : scope.execRuntime);
            }
            return chain.proceed(request, scope);
        });
    }

    /** Runs {@code work} (which sends the CRM request on this thread) so that {@code call} can abort its request. */
    static <T> T during(Call call, Supplier<T> work) {
        CURRENT.set(call);
        try {
            return work.get();
        } finally {
            CURRENT.remove();
        }
    }

    /** One crm: reply request: aborted, its connection closed, when its reply is cancelled. */
    static final class Call {

        private Object inFlight; // a Cancellable request, or the ExecRuntime holding its connection
        private boolean aborted;

        synchronized void started(Object request) throws InterruptedIOException {
            if (aborted) {
                throw new InterruptedIOException("the reply was cancelled before its CRM request went out");
            }
            inFlight = request;
        }

        synchronized void abort() {
            aborted = true;
            if (inFlight instanceof Cancellable cancellable) {
                cancellable.cancel();
            } else if (inFlight instanceof ExecRuntime runtime) {
                runtime.discardEndpoint();
            }
        }
    }
}
