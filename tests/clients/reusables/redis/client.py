"""The library's functions, each as its README documents it."""

import json
import os
from typing import Any, Dict, List, Optional

import redis

HOSTS = {"local": "34.66.188.104", "production": "10.128.0.3"}


class RedisClient:
    """The shared client singleton (connection pooling comes with redis-py's client)."""

    _instance: Optional[redis.Redis] = None

    @classmethod
    def get(cls) -> redis.Redis:
        if cls._instance is None:
            environment = os.environ.get("ENVIRONMENT", "local")
            cls._instance = redis.Redis(
                host=os.environ.get("REDIS_HOST", HOSTS.get(environment, HOSTS["local"])),
                port=int(os.environ.get("REDIS_PORT", "6379")),
                password=os.environ.get("REDIS_PASSWORD") or None,
                decode_responses=True,
            )
        return cls._instance

    @classmethod
    def reset(cls) -> None:
        cls._instance = None


def get_redis_client() -> redis.Redis:
    return RedisClient.get()


def _encode(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def _decode(text: Optional[str], default: Any = None) -> Any:
    if text is None:
        return default
    try:
        return json.loads(text)
    except ValueError:
        return text


def set_value(key: str, value: Any, ttl: Optional[int] = None) -> bool:
    return bool(get_redis_client().set(key, _encode(value), ex=ttl))


def get_value(key: str, default: Any = None) -> Any:
    return _decode(get_redis_client().get(key), default)


def delete_key(key: str) -> int:
    return get_redis_client().delete(key)


def exists(key: str) -> bool:
    return get_redis_client().exists(key) == 1


def get_ttl(key: str) -> int:
    return get_redis_client().ttl(key)


def set_many(mapping: Dict[str, Any], ttl: Optional[int] = None) -> bool:
    pipe = get_redis_client().pipeline()
    for key, value in mapping.items():
        pipe.set(key, _encode(value), ex=ttl)
    return all(pipe.execute())


def get_many(keys: List[str]) -> Dict[str, Any]:
    values = get_redis_client().mget(keys)
    return {key: _decode(value) for key, value in zip(keys, values) if value is not None}


def delete_many(keys: List[str]) -> int:
    return get_redis_client().delete(*keys) if keys else 0


def cache_set(key: str, value: Any, ttl: int = 3600) -> bool:
    return set_value(key, value, ttl=ttl)


def cache_get(key: str) -> Optional[Any]:
    return get_value(key)


def find_keys(pattern: str, limit: int = 1000) -> List[str]:
    found = []
    for key in get_redis_client().scan_iter(match=pattern, count=100):
        found.append(key)
        if len(found) >= limit:
            break
    return found


def invalidate_pattern(pattern: str) -> int:
    return delete_many(list(get_redis_client().scan_iter(match=pattern, count=100)))


def purge_cache(service: Optional[str] = None) -> int:
    return invalidate_pattern(f"{service}:cache:*" if service else "*:cache:*")


def increment(key: str, amount: int = 1) -> int:
    return get_redis_client().incrby(key, amount)


def decrement(key: str, amount: int = 1) -> int:
    return get_redis_client().decrby(key, amount)


def hash_set(key: str, field: str, value: Any) -> int:
    return get_redis_client().hset(key, field, _encode(value))


def hash_get(key: str, field: str) -> Optional[Any]:
    return _decode(get_redis_client().hget(key, field))


def hash_get_all(key: str) -> Dict[str, Any]:
    return {field: _decode(value) for field, value in get_redis_client().hgetall(key).items()}


def make_key(service: str, *parts: str) -> str:
    return ":".join([service, *parts])
