"""The real protobuf as a judge of LessonKit's KeyValueMessage (KeyValueInteropTests).

    python3 kv_judge.py GENERATED_DIR REQUESTS.json ANSWERS.json

GENERATED_DIR holds kv_pb2.py, made by `protoc --python_out` from kv.proto. REQUESTS.json is a
list of requests; ANSWERS.json gets one answer per request, in order:

    {"op": "encode", "type": "KeyValueMessage" | "KeyValueMessageWithExtras", "fields": {...}}
        -> {"hex": the message's SerializeToString(), in hex}
       Integer fields come as decimal strings; extra_bytes as hex; extra_packed as a list.
    {"op": "decode", "hex": BODY}
        -> {"ok": true, "key", "value", "kind", "status", "reencoded": hex of the parsed
            KeyValueMessage serialized again (unknown fields kept), "extras": the fields 5-10 and
            536870911 as KeyValueMessageWithExtras reads them, integers as decimal strings}
        or {"ok": false, "error": why ParseFromString refused the body}
"""
import json
import sys


def main():
    generated, requests_path, answers_path = sys.argv[1:4]
    sys.path.insert(0, generated)
    import kv_pb2  # noqa: E402 (made by protoc at test time)

    with open(requests_path, encoding="utf-8") as f:
        requests = json.load(f)
    answers = [answer(kv_pb2, request) for request in requests]
    with open(answers_path, "w", encoding="utf-8") as f:
        json.dump(answers, f)


def answer(kv_pb2, request):
    if request["op"] == "encode":
        message = getattr(kv_pb2, request["type"])()
        for name, value in request["fields"].items():
            if name in ("key", "value"):
                setattr(message, name, value)
            elif name == "extra_bytes":
                message.extra_bytes = bytes.fromhex(value)
            elif name == "extra_packed":
                message.extra_packed.extend(int(v) for v in value)
            else:
                setattr(message, name, int(value))
        return {"hex": message.SerializeToString().hex()}
    if request["op"] == "decode":
        body = bytes.fromhex(request["hex"])
        message = kv_pb2.KeyValueMessage()
        try:
            message.ParseFromString(body)
        except Exception as error:  # DecodeError, or UnicodeDecodeError from the pure-Python parser
            return {"ok": False, "error": "%s: %s" % (type(error).__name__, error)}
        extras = kv_pb2.KeyValueMessageWithExtras()
        extras.ParseFromString(body)
        return {
            "ok": True,
            "key": message.key,
            "value": message.value,
            "kind": str(message.kind),
            "status": str(message.status),
            "reencoded": message.SerializeToString().hex(),
            "extras": {
                "extra_varint": str(extras.extra_varint),
                "extra_fixed64": str(extras.extra_fixed64),
                "extra_bytes": extras.extra_bytes.hex(),
                "extra_fixed32": str(extras.extra_fixed32),
                "extra_packed": [str(v) for v in extras.extra_packed],
                "extra_negative": str(extras.extra_negative),
                "extra_far": str(extras.extra_far),
            },
        }
    raise ValueError("unknown op %r" % request["op"])


if __name__ == "__main__":
    main()
