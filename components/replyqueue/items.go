package replyqueue

import (
	"context"
	"strconv"

	"portal/components/i18n"
	"portal/models"
)

// A queue row is a process thread or a simulation thread: these say where
// its link goes and how it is named.

// ItemURL is the page of the thread's process or simulation.
func ItemURL(it models.ReplyQueueItem) string {
	if it.SimulationUUID != "" {
		return "/simulations/" + it.SimulationUUID
	}
	return "/processes/" + it.ProcessUUID
}

// ItemID is the thread's id in the page (its process's or simulation's).
func ItemID(it models.ReplyQueueItem) string { return it.ProcessUUID + it.SimulationUUID }

// ItemLabel is the process number, or "Simulation <number>".
func ItemLabel(ctx context.Context, it models.ReplyQueueItem) string {
	if it.SimulationUUID != "" {
		return i18n.T(ctx, "replyqueue.simulation_number", map[string]any{"Number": strconv.FormatInt(it.SimulationNumber, 10)})
	}
	return strconv.FormatInt(it.ProcessNumber, 10)
}
