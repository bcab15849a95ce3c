/*
 * A C consumer and producer of the bundled contracts, written as a user
 * would: field values of a current and an upcast event, a status for each
 * bad input, and an encoded command printed for the Rust side to decode.
 * Prints "ok" on the last line when every check passed; exits 1 otherwise.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shop.h"

static int failures = 0;

#define CHECK(condition)                                                        \
    do {                                                                        \
        if (!(condition)) {                                                     \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__,    \
                    #condition);                                                \
            failures++;                                                         \
        }                                                                       \
    } while (0)

static int str_is(shop_str s, const char *expected)
{
    return s.ptr != NULL && s.len == strlen(expected) &&
           memcmp(s.ptr, expected, s.len) == 0 && s.ptr[s.len] == '\0';
}

static const char *ORDER_CREATED_V2 =
    "{\"specversion\":\"1.0\",\"id\":\"m-2\",\"source\":\"/tests/c\","
    "\"type\":\"com.example.orders.order_created.v2\",\"dataversion\":\"2.0.0\","
    "\"correlationid\":\"conversation-7\","
    "\"data\":{\"order_id\":\"1b659ae0-a984-4b8c-926d-c121a5229881\","
    "\"customer_id\":\"277e5a21-1130-4d91-9410-c6be3929afdd\","
    "\"lines\":[{\"sku\":\"SKU-31008-XL\",\"quantity\":3,"
    "\"product_name\":\"Merino base layer, XL\"},{\"sku\":\"SKU-20017\",\"quantity\":1}],"
    "\"total\":{\"amount\":147.5,\"currency\":\"GBP\"},"
    "\"created_at\":\"2024-05-02T16:45:10.250+01:00\",\"comment\":\"Gift wrap, please.\","
    "\"labels\":{\"channel\":\"mobile\"}}}";

static const char *ORDER_CREATED_V1 =
    "{\"specversion\":\"1.0\",\"id\":\"m-1\",\"source\":\"/tests/c\","
    "\"type\":\"com.example.orders.order_created.v1\",\"dataversion\":\"1.1.0\","
    "\"data\":{\"order_id\":\"6c4c1cd6-fb25-495d-8b2b-deca9b2d442d\","
    "\"customer_id\":\"2f40bd99-29dd-4ed7-a512-3f99b9939338\","
    "\"lines\":[{\"sku\":\"SKU-10042-BLK\",\"quantity\":2}],"
    "\"total\":189.7,\"created_at\":\"2024-04-29T09:14:03Z\","
    "\"note\":\"Please leave the parcel with the neighbour.\"}}";

struct seen {
    int order_created;
    int upcast;
};

static int on_order_created(void *ctx, const shop_meta *meta, const shop_OrderCreated *event)
{
    struct seen *seen = (struct seen *)ctx;
    seen->order_created++;
    CHECK(meta != NULL && event != NULL);
    CHECK(str_is(meta->type, "com.example.orders.order_created.v2") ||
          str_is(meta->type, "com.example.orders.order_created.v1"));
    if (str_is(meta->id, "m-2")) {
        CHECK(str_is(meta->correlation_id, "conversation-7"));
        CHECK(!meta->has_causation_id);
        CHECK(str_is(event->order_id, "1b659ae0-a984-4b8c-926d-c121a5229881"));
        CHECK(event->lines.len == 2);
        CHECK(str_is(event->lines.ptr[0].sku, "SKU-31008-XL"));
        CHECK(event->lines.ptr[0].quantity == 3);
        CHECK(event->lines.ptr[0].has_product_name);
        CHECK(str_is(event->lines.ptr[0].product_name, "Merino base layer, XL"));
        CHECK(!event->lines.ptr[1].has_product_name);
        CHECK(event->total.amount == 147.5);
        CHECK(str_is(event->total.currency, "GBP"));
        CHECK(event->has_comment && str_is(event->comment, "Gift wrap, please."));
        CHECK(!event->has_shipping_address);
        CHECK(event->has_labels && event->labels.len == 1);
        CHECK(str_is(event->labels.ptr[0].key, "channel"));
        CHECK(str_is(event->labels.ptr[0].value, "mobile"));
    } else {
        /* 1.1.0 upcast to 2.0.0: `note` renamed `comment`, the total in USD. */
        seen->upcast++;
        CHECK(str_is(meta->id, "m-1"));
        CHECK(str_is(meta->correlation_id, "m-1"));
        CHECK(meta->has_dataversion && str_is(meta->dataversion, "1.1.0"));
        CHECK(str_is(event->order_id, "6c4c1cd6-fb25-495d-8b2b-deca9b2d442d"));
        CHECK(event->lines.len == 1 && event->lines.ptr[0].quantity == 2);
        CHECK(event->total.amount == 189.7);
        CHECK(str_is(event->total.currency, "USD"));
        CHECK(event->has_comment &&
              str_is(event->comment, "Please leave the parcel with the neighbour."));
        CHECK(!event->has_labels);
    }
    return 0;
}

static int failing_handler(void *ctx, const shop_meta *meta, const shop_OrderCreated *event)
{
    (void)ctx;
    (void)meta;
    (void)event;
    return 42;
}

static shop_status dispatch(const char *text, const shop_handlers *handlers, void *ctx)
{
    return shop_dispatch((const uint8_t *)text, strlen(text), handlers, ctx);
}

static int last_error_mentions(const char *needle)
{
    const char *message = shop_last_error();
    if (message == NULL || strstr(message, needle) == NULL) {
        fprintf(stderr, "last error \"%s\" does not mention \"%s\"\n",
                message ? message : "(null)", needle);
        return 0;
    }
    return 1;
}

static void consume(void)
{
    struct seen seen = {0, 0};
    shop_handlers handlers;
    memset(&handlers, 0, sizeof handlers);
    handlers.on_order_created = on_order_created;

    CHECK(dispatch(ORDER_CREATED_V2, &handlers, &seen) == SHOP_STATUS_OK);
    CHECK(dispatch(ORDER_CREATED_V1, &handlers, &seen) == SHOP_STATUS_OK);
    CHECK(seen.order_created == 2 && seen.upcast == 1);
}

static void bad_inputs(void)
{
    struct seen seen = {0, 0};
    shop_handlers handlers;
    const uint8_t garbage[] = {0xff, 0x00, 0x7b, 0x22, 0x80};
    memset(&handlers, 0, sizeof handlers);
    handlers.on_order_created = on_order_created;

    CHECK(shop_dispatch(garbage, sizeof garbage, &handlers, &seen) == SHOP_STATUS_INVALID_ENVELOPE);
    CHECK(shop_dispatch(garbage, 0, &handlers, &seen) == SHOP_STATUS_INVALID_ENVELOPE);
    CHECK(dispatch("{\"specversion\":\"1.0\",\"id\":\"x\",\"source\":\"/t\","
                   "\"type\":\"com.example.nothing.v1\",\"data\":{}}",
                   &handlers, &seen) == SHOP_STATUS_UNKNOWN_TYPE);
    CHECK(dispatch("{\"specversion\":\"1.0\",\"id\":\"x\",\"source\":\"/t\","
                   "\"type\":\"com.example.orders.order_created.v9\",\"dataversion\":\"9.0.0\","
                   "\"data\":{}}",
                   &handlers, &seen) == SHOP_STATUS_UNSUPPORTED_VERSION);
    CHECK(dispatch("{\"specversion\":\"1.0\",\"id\":\"x\",\"source\":\"/t\","
                   "\"type\":\"com.example.orders.order_created.v2\",\"dataversion\":\"2.0.0\","
                   "\"data\":{\"order_id\":\"1b659ae0-a984-4b8c-926d-c121a5229881\","
                   "\"customer_id\":\"277e5a21-1130-4d91-9410-c6be3929afdd\","
                   "\"lines\":[{\"sku\":\"SKU-10001\",\"quantity\":0}],"
                   "\"total\":{\"amount\":1,\"currency\":\"GBP\"},"
                   "\"created_at\":\"2024-05-02T16:45:10Z\"}}",
                   &handlers, &seen) == SHOP_STATUS_INVALID_PAYLOAD);
    CHECK(last_error_mentions("/lines/0/quantity"));
    CHECK(dispatch(ORDER_CREATED_V2, NULL, &seen) == SHOP_STATUS_NULL_ARGUMENT);
    CHECK(last_error_mentions("handlers"));
    CHECK(shop_dispatch(NULL, 10, &handlers, &seen) == SHOP_STATUS_NULL_ARGUMENT);
    CHECK(seen.order_created == 0);

    handlers.on_order_created = failing_handler;
    CHECK(dispatch(ORDER_CREATED_V2, &handlers, &seen) == SHOP_STATUS_HANDLER_FAILED);
    CHECK(last_error_mentions("returned 42"));

    /* A command whose entry is NULL has no handler; an event is ignored. */
    memset(&handlers, 0, sizeof handlers);
    CHECK(dispatch(ORDER_CREATED_V2, &handlers, &seen) == SHOP_STATUS_OK);
    CHECK(dispatch("{\"specversion\":\"1.0\",\"id\":\"x\",\"source\":\"/t\","
                   "\"type\":\"com.example.orders.cancel_order.v1\",\"dataversion\":\"1.0.0\","
                   "\"data\":{\"order_id\":\"e3591b00-f8df-40c8-8322-b3574700f94a\","
                   "\"reason\":\"fraud_suspected\","
                   "\"requested_by\":\"2f40bd99-29dd-4ed7-a512-3f99b9939338\"}}",
                   &handlers, &seen) == SHOP_STATUS_NO_HANDLER);
    CHECK(last_error_mentions("on_cancel_order"));
}

static void statuses(void)
{
    int code;
    for (code = SHOP_STATUS_OK; code <= SHOP_STATUS_INTERNAL; code++) {
        const char *text = shop_status_str(code);
        CHECK(text != NULL && strlen(text) > 0);
    }
    CHECK(strcmp(shop_status_str(SHOP_STATUS_OK), "ok") == 0);
    CHECK(shop_status_str(-1) != NULL && shop_status_str(1000) != NULL);
    CHECK(SHOP_CHECK_ABI() == SHOP_STATUS_OK);
    CHECK(shop_abi_version() == SHOP_ABI_VERSION);
    CHECK(shop_check_abi(SHOP_ABI_VERSION, SHOP_CONTRACTS_HASH ^ 1u) == SHOP_STATUS_ABI_MISMATCH);
    CHECK(last_error_mentions("contracts"));
}

static shop_OrderLine LINES[2];

static shop_CreateOrder create_order(void)
{
    shop_CreateOrder command;
    memset(&command, 0, sizeof command);
    memset(LINES, 0, sizeof LINES);
    LINES[0].sku = shop_str_from("SKU-10042-BLK");
    LINES[0].quantity = 2;
    LINES[0].has_product_name = true;
    LINES[0].product_name = shop_str_from("Trail running shoe, black");
    LINES[1].sku = shop_str_from("SKU-20017");
    LINES[1].quantity = 1;
    command.order_id = shop_str_from("6c4c1cd6-fb25-495d-8b2b-deca9b2d442d");
    command.customer_id = shop_str_from("2f40bd99-29dd-4ed7-a512-3f99b9939338");
    command.lines.ptr = LINES;
    command.lines.len = 2;
    command.currency = SHOP_STR_LIT("EUR");
    command.shipping_address.recipient_name = shop_str_from("Ada Lovelace");
    command.shipping_address.line1 = shop_str_from("Invalidenstrasse 117");
    command.shipping_address.city = shop_str_from("Berlin");
    command.shipping_address.postal_code = shop_str_from("10115");
    command.shipping_address.country_code = SHOP_STR_LIT("DE");
    command.has_note = true;
    command.note = shop_str_from("Please leave the parcel with the neighbour.");
    return command;
}

static void produce(void)
{
    shop_buf buf = {NULL, 0};
    shop_CreateOrder command = create_order();
    shop_CancelOrder cancel;

    CHECK(shop_set_source("/warehouse/gateway-3") == SHOP_STATUS_OK);
    CHECK(shop_set_source(NULL) == SHOP_STATUS_NULL_ARGUMENT);
    CHECK(shop_encode_create_order(&command, &buf) == SHOP_STATUS_OK);
    CHECK(buf.data != NULL && buf.len > 0);
    if (buf.data != NULL) {
        printf("%.*s\n", (int)buf.len, (const char *)buf.data);
    }
    shop_buf_free(&buf);
    CHECK(buf.data == NULL && buf.len == 0);
    shop_buf_free(&buf);
    shop_buf_free(NULL);

    /* Bad values from C: each a status and a message naming the member. */
    CHECK(shop_encode_create_order(NULL, &buf) == SHOP_STATUS_NULL_ARGUMENT);
    CHECK(shop_encode_create_order(&command, NULL) == SHOP_STATUS_NULL_ARGUMENT);
    LINES[1].sku.ptr = NULL;
    CHECK(shop_encode_create_order(&command, &buf) == SHOP_STATUS_INVALID_PAYLOAD);
    CHECK(last_error_mentions("/lines/1/sku"));
    LINES[1].sku = shop_str_from("SKU-20017");
    LINES[1].quantity = 0;
    CHECK(shop_encode_create_order(&command, &buf) == SHOP_STATUS_INVALID_PAYLOAD);
    CHECK(last_error_mentions("quantity"));
    LINES[1].quantity = 1;
    command.order_id = shop_str_from("not-a-uuid");
    CHECK(shop_encode_create_order(&command, &buf) == SHOP_STATUS_INVALID_PAYLOAD);
    CHECK(last_error_mentions("order_id"));
    command.order_id.ptr = "\xff\xfe";
    command.order_id.len = 2;
    CHECK(shop_encode_create_order(&command, &buf) == SHOP_STATUS_INVALID_PAYLOAD);
    CHECK(last_error_mentions("UTF-8"));
    CHECK(buf.data == NULL);

    memset(&cancel, 0, sizeof cancel);
    cancel.order_id = shop_str_from("e3591b00-f8df-40c8-8322-b3574700f94a");
    cancel.requested_by = shop_str_from("2f40bd99-29dd-4ed7-a512-3f99b9939338");
    /* A zeroed enum is never a valid constant. */
    CHECK(shop_encode_cancel_order(&cancel, &buf) == SHOP_STATUS_INVALID_PAYLOAD);
    CHECK(last_error_mentions("/reason"));
    cancel.reason = SHOP_CANCEL_ORDER_V1_CANCELLATION_REASON_FRAUD_SUSPECTED;
    CHECK(shop_encode_cancel_order(&cancel, &buf) == SHOP_STATUS_OK);
    if (buf.data != NULL) {
        printf("%.*s\n", (int)buf.len, (const char *)buf.data);
    }
    shop_buf_free(&buf);
}

static const char *MAKE_PAYMENT_BY_CARD =
    "{\"specversion\":\"1.0\",\"id\":\"p-1\",\"source\":\"/tests/c\","
    "\"type\":\"com.example.payments.make_payment.v1\",\"dataversion\":\"1.0.0\","
    "\"data\":{\"payment_id\":\"d4ef8f27-4c73-4456-82ff-c939df8c4077\","
    "\"order_id\":\"6c4c1cd6-fb25-495d-8b2b-deca9b2d442d\","
    "\"amount\":{\"amount\":189.7,\"currency\":\"EUR\"},"
    "\"method\":{\"kind\":\"card\",\"card_token\":\"tok_4fJ9xQ2mZt7L\",\"last4\":\"4242\","
    "\"expiry_month\":11,\"expiry_year\":2027}}}";

struct payments_seen {
    int card;
    int bank_transfer;
};

static int on_make_payment(void *ctx, const shop_meta *meta, const shop_MakePayment *command)
{
    struct payments_seen *seen = (struct payments_seen *)ctx;
    (void)meta;
    switch (command->method.tag) {
    case SHOP_MAKE_PAYMENT_V1_METHOD_CARD_PAYMENT:
        seen->card++;
        CHECK(str_is(command->method.value.card_payment.card_token, "tok_4fJ9xQ2mZt7L"));
        CHECK(command->method.value.card_payment.expiry_month == 11);
        break;
    case SHOP_MAKE_PAYMENT_V1_METHOD_BANK_TRANSFER_PAYMENT:
        seen->bank_transfer++;
        CHECK(str_is(command->method.value.bank_transfer_payment.iban, "DE89370400440532013000"));
        CHECK(!command->method.value.bank_transfer_payment.has_bic);
        break;
    default:
        CHECK(!"a tag of the header");
    }
    return 0;
}

/* The union tags, read on dispatch and set to encode. */
static void payments(void)
{
    struct payments_seen seen = {0, 0};
    shop_handlers handlers;
    shop_MakePayment command;
    shop_MakePaymentV1BankTransferPayment *bank;
    shop_buf buf = {NULL, 0};

    CHECK(SHOP_MAKE_PAYMENT_V1_METHOD_CARD_PAYMENT == 1);
    CHECK(SHOP_MAKE_PAYMENT_V1_METHOD_BANK_TRANSFER_PAYMENT == 2);
    memset(&handlers, 0, sizeof handlers);
    handlers.on_make_payment = on_make_payment;
    CHECK(dispatch(MAKE_PAYMENT_BY_CARD, &handlers, &seen) == SHOP_STATUS_OK);
    CHECK(seen.card == 1);

    memset(&command, 0, sizeof command);
    command.payment_id = SHOP_STR_LIT("9af4f25b-a571-4e96-b6e5-58fb10f0d168");
    command.order_id = SHOP_STR_LIT("1b659ae0-a984-4b8c-926d-c121a5229881");
    command.amount.amount = 147;
    command.amount.currency = SHOP_STR_LIT("GBP");
    /* A zeroed tag is never a branch. */
    CHECK(shop_encode_make_payment(&command, &buf) == SHOP_STATUS_INVALID_PAYLOAD);
    CHECK(last_error_mentions("/method"));
    command.method.tag = SHOP_MAKE_PAYMENT_V1_METHOD_BANK_TRANSFER_PAYMENT;
    bank = &command.method.value.bank_transfer_payment;
    bank->kind = SHOP_STR_LIT("bank_transfer");
    bank->iban = shop_str_from("DE89370400440532013000");
    bank->account_holder = shop_str_from("Grace Hopper");
    CHECK(shop_encode_make_payment(&command, &buf) == SHOP_STATUS_OK);
    if (buf.data != NULL) {
        printf("%.*s\n", (int)buf.len, (const char *)buf.data);
        CHECK(shop_dispatch(buf.data, buf.len, &handlers, &seen) == SHOP_STATUS_OK);
    }
    CHECK(seen.bank_transfer == 1);
    shop_buf_free(&buf);
}

int main(void)
{
    statuses();
    consume();
    bad_inputs();
    produce();
    payments();
    if (failures > 0) {
        fprintf(stderr, "%d check(s) failed\n", failures);
        return 1;
    }
    printf("ok\n");
    return 0;
}
