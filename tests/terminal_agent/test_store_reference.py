from server_sync.protocol import SyncState


def test_pulled_reference_rows_are_kept_by_kind_and_key(store):
    store.apply_state(
        SyncState(
            cursor="10",
            changes={
                "categories": [
                    {"key": "lift_fault", "name_zh": "电梯故障", "deadline_hours": 24},
                    {"key": "noise", "name_zh": "噪音", "deadline_hours": 48},
                ],
                "locations": [{"key": "square", "name_zh": "广场", "building": None}],
            },
        ).model_dump()
    )
    assert [row["key"] for row in store.reference("categories")] == ["lift_fault", "noise"]
    assert store.reference_row("locations", "square")["name_zh"] == "广场"
    assert store.reference_row("locations", "office") is None
    assert store.state_get("cursor") == "10"

    store.apply_state(
        {
            "cursor": "11",
            "changes": {
                "categories": [
                    {"key": "noise", "deleted": True},
                    {"key": "lift_fault", "name_zh": "电梯", "deadline_hours": 12},
                ]
            },
        }
    )
    assert store.reference("categories") == [
        {"key": "lift_fault", "name_zh": "电梯", "deadline_hours": 12}
    ]
    assert store.reference_row("locations", "square") is not None


def test_full_state_replaces_the_kinds_it_carries(store):
    store.apply_state({"cursor": "1", "changes": {"notices": [{"key": "a"}, {"key": "b"}]}})
    store.apply_state({"cursor": "2", "full": True, "changes": {"notices": [{"key": "c"}]}})
    assert [row["key"] for row in store.reference("notices")] == ["c"]


def test_setting_made_on_the_device_wins_over_the_server_config(store):
    assert store.config_get("language", "zh") == "zh"
    store.apply_state({"cursor": "1", "changes": {"config": [{"key": "language", "value": "en"}]}})
    assert store.config_get("language") == "en"
    store.config_set("language", "zh")
    assert store.config_get("language") == "zh"
    assert store.config_items()["language"] == {"value": "zh", "source": "device"}


def test_health_and_identity_round_trip(store):
    assert store.identity() is None
    store.set_health("camera", False, "no camera at /dev/video0", {"device": "/dev/video0"})
    assert store.health()["camera"]["status"] == "no camera at /dev/video0"
    assert store.health()["camera"]["ok"] is False
    store.set_identity(
        device_id=7,
        short_code="L07",
        role="lift",
        location="b07-lift-1",
        server="http://127.0.0.1:8080",
        token="secret",
    )
    identity = store.identity()
    assert identity["short_code"] == "L07" and "token" not in identity
    assert store.token() == "secret"
