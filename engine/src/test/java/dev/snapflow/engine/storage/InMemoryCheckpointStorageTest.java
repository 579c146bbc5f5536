package dev.snapflow.engine.storage;

class InMemoryCheckpointStorageTest extends CheckpointStorageContractTest {

    @Override
    CheckpointStorage createStorage() {
        return new InMemoryCheckpointStorage();
    }
}
