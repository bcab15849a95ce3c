/*
 * A complete C consumer and producer of the bundled contracts: see the
 * README section "C bindings" for the commands that build and run it.
 */
#include <stdio.h>
#include <string.h>
#include "shop.h"

static int on_order_created(void *ctx, const shop_meta *meta, const shop_OrderCreated *event)
{
    size_t i;
    (void)ctx;
    printf("%s: order %s, %.2f %s\n", meta->type.ptr, event->order_id.ptr,
           event->total.amount, event->total.currency.ptr);
    for (i = 0; i < event->lines.len; i++) {
        printf("  %u x %s\n", event->lines.ptr[i].quantity, event->lines.ptr[i].sku.ptr);
    }
    return 0;
}

int main(void)
{
    const char *message =
        "{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"/orders\","
        "\"type\":\"com.example.orders.order_created.v1\",\"dataversion\":\"1.0.0\","
        "\"data\":{\"order_id\":\"6c4c1cd6-fb25-495d-8b2b-deca9b2d442d\","
        "\"customer_id\":\"2f40bd99-29dd-4ed7-a512-3f99b9939338\","
        "\"lines\":[{\"sku\":\"SKU-10042-BLK\",\"quantity\":2}],"
        "\"total\":189.7,\"created_at\":\"2024-04-29T09:14:03Z\"}}";
    shop_handlers handlers;
    shop_CancelOrder cancel;
    shop_buf out = {NULL, 0};
    shop_status status;

    if (SHOP_CHECK_ABI() != SHOP_STATUS_OK) {
        fprintf(stderr, "%s\n", shop_last_error());
        return 1;
    }

    /* Consume: a 1.0.0 event arrives upcast to the latest OrderCreated. */
    memset(&handlers, 0, sizeof handlers);
    handlers.on_order_created = on_order_created;
    status = shop_dispatch((const uint8_t *)message, strlen(message), &handlers, NULL);
    if (status != SHOP_STATUS_OK) {
        fprintf(stderr, "%s: %s\n", shop_status_str(status), shop_last_error());
        return 1;
    }

    /* Produce: a validated command in a new CloudEvents envelope. */
    memset(&cancel, 0, sizeof cancel);
    cancel.order_id = SHOP_STR_LIT("6c4c1cd6-fb25-495d-8b2b-deca9b2d442d");
    cancel.reason = SHOP_CANCEL_ORDER_V1_CANCELLATION_REASON_CUSTOMER_REQUEST;
    cancel.requested_by = shop_str_from("2f40bd99-29dd-4ed7-a512-3f99b9939338");
    shop_set_source("/services/gateway");
    status = shop_encode_cancel_order(&cancel, &out);
    if (status != SHOP_STATUS_OK) {
        fprintf(stderr, "%s: %s\n", shop_status_str(status), shop_last_error());
        return 1;
    }
    printf("%.*s\n", (int)out.len, (const char *)out.data);
    shop_buf_free(&out);
    return 0;
}
