package models

import "context"

// Simulation threads: one thread per simulation, exactly the process
// thread's contract (limits, paging, read marks, rate limit, audit), written
// by the broker firm's users and bank staff. Messages come back as Message
// (ProcessID 0). Access as simulations: brokers their firm's, staff and
// admins their bank's; a foreign simulation answers like a missing one
// (CodeNotFound, Entity "simulation"); customers CodeForbidden.
type SimulationMessageService interface {
	PostSimulationMessage(ctx context.Context, simulationUUID string, in NewMessage) (*Message, error)
	ListSimulationMessages(ctx context.Context, simulationUUID string, page MessagePage) (*MessageList, error)
	SimulationThreadPage(ctx context.Context, simulationUUID string, q ThreadQuery) (*ThreadMessages, error)
	SimulationMessagesSince(ctx context.Context, simulationUUID string, q SinceQuery) ([]Message, error)
	MarkSimulationRead(ctx context.Context, simulationUUID, upToMessageUUID string) error
}
