"""What the local runtime changes in moto, each measured under 8 concurrent intakes.

Two costs of moto's Step Functions executor (p95 went from ~12 s to the closing note's figures):

- it parses the ASL with ANTLR at every StartExecution (~25 ms of pure-Python CPU); the
  parsed program is a tree of declarations and each execution keeps its state in its own
  Environment, so one tree serves every execution of the same definition;
- it creates a new boto3 client for every Lambda task it runs (~60 ms each); clients are
  thread-safe, so one per region and service serves all tasks.

Nothing else of the executor changes: the same ASL runs through the same interpreter."""
from __future__ import annotations

import functools
import threading

_installed = False
_lock = threading.Lock()


def install() -> None:
    global _installed
    with _lock:
        if _installed:
            return
        from moto.stepfunctions.parser.asl.component.state.exec.state_task import lambda_eval_utils
        from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser
        from moto.stepfunctions.parser.backend.execution_worker import ExecutionWorker

        @functools.lru_cache(maxsize=32)
        def parsed_program(definition: str):
            return AmazonStateLanguageParser.parse(definition)[0]

        def entrypoint(self):
            return parsed_program(self._evaluation_details.state_machine_details.definition)

        ExecutionWorker._get_evaluation_entrypoint = entrypoint

        clients: dict[tuple, object] = {}
        clients_lock = threading.Lock()
        original = lambda_eval_utils.boto_client_for

        def shared_client(region: str, service: str, state_credentials=None):
            key = (region, service)
            if key not in clients:
                with clients_lock:
                    clients.setdefault(key, original(region=region, service=service,
                                                     state_credentials=state_credentials))
            return clients[key]

        lambda_eval_utils.boto_client_for = shared_client
        install_dynamodb_safety()
        _installed = True


# -- DynamoDB: one request at a time, transactions without whole-table copies -------------
#
# moto's DynamoDB backend is not thread-safe (its dicts are iterated while other threads
# write them: "dictionary changed size during iteration" under 8 concurrent intakes), and
# its TransactWriteItems deep-copies every table it touches before writing and swaps the
# copy back on failure: O(table size) per transaction, and a failed transaction silently
# drops whatever another thread wrote meanwhile. Locally that is lost data, so the runtime
# (and the tests, which run the same way) serialise every DynamoDB request and check all
# conditions of a transaction before writing any of it, as DynamoDB does.

DYNAMODB_LOCK = threading.RLock()


def _transact_write_items(self, transact_items):
    from moto.dynamodb.comparisons import get_filter_expression
    from moto.dynamodb.exceptions import (ConditionalCheckFailed, MockValidationException,
                                          MultipleTransactionsException,
                                          TooManyTransactionsException,
                                          TransactionCanceledException,
                                          TransactWriteSingleOpException)
    if len(transact_items) > 100:
        raise TooManyTransactionsException()
    with DYNAMODB_LOCK:
        targets, plan, errors = set(), [], []
        for item in transact_items:
            if len(item) > 1:
                raise TransactWriteSingleOpException
            original_item = None
            try:
                op_type, op = next(iter(item.items()))
                if op_type not in {"ConditionCheck", "Put", "Delete", "Update"}:
                    raise ValueError("Unsupported transaction operation")
                table_name = op["TableName"]
                if op_type == "Put":
                    table = self.get_table(table_name)
                    key = {table.hash_key_attr: op["Item"][table.hash_key_attr]}
                    if table.range_key_attr is not None:
                        key[table.range_key_attr] = op["Item"][table.range_key_attr]
                else:
                    key = op["Key"]
                target = (str(table_name), str(dict(sorted(key.items()))))
                if target in targets:
                    raise MultipleTransactionsException()
                targets.add(target)
                current = self.get_item(table_name, key)
                condition = op.get("ConditionExpression")
                if condition is not None:
                    check = get_filter_expression(condition, op.get("ExpressionAttributeNames"),
                                                  op.get("ExpressionAttributeValues"))
                    if not check.expr(current):
                        if op.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD" and current:
                            original_item = current.to_json()["Attributes"]
                        raise ConditionalCheckFailed(item=original_item)
                plan.append((op_type, op, table_name, key,
                             current.to_json()["Attributes"] if current else None))
                errors.append((None, None, None))
            except (MultipleTransactionsException, MockValidationException):
                raise
            except ConditionalCheckFailed as e:
                errors.append(("ConditionalCheckFailed", str(e.message), original_item))
            except Exception as e:  # noqa: BLE001 - reported per item, as moto does
                errors.append((type(e).__name__, str(e), original_item))
        if any(code is not None for code, _, _ in errors):
            raise TransactionCanceledException(errors)
        applied = []
        try:
            for op_type, op, table_name, key, before in plan:
                names, values = op.get("ExpressionAttributeNames"), op.get("ExpressionAttributeValues")
                if op_type == "Put":
                    self.put_item(table_name, op["Item"], expression_attribute_names=names,
                                  expression_attribute_values=values)
                elif op_type == "Delete":
                    self.delete_item(table_name, key, expression_attribute_names=names,
                                     expression_attribute_values=values)
                elif op_type == "Update":
                    self.update_item(table_name, key, update_expression=op["UpdateExpression"],
                                     expression_attribute_names=names,
                                     expression_attribute_values=values)
                if op_type != "ConditionCheck":
                    applied.append((table_name, key, before))
        except Exception:
            for table_name, key, before in reversed(applied):  # all or nothing
                if before is None:
                    self.delete_item(table_name, key)
                else:
                    self.put_item(table_name, before)
            raise


def install_dynamodb_safety() -> None:
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.responses import DynamoHandler

    if getattr(DynamoHandler, "_jieyou_locked", False):
        return
    call_action = DynamoHandler.call_action

    def locked_call_action(self):
        with DYNAMODB_LOCK:
            return call_action(self)

    DynamoHandler.call_action = locked_call_action
    DynamoHandler._jieyou_locked = True
    DynamoDBBackend.transact_write_items = _transact_write_items
